"""The minister's answer to question 244, reproduced from the demo data as of 26 November 2025.

Every test here reads the demo data, which is seeded once for the module (seed_demo is the slowest fixture
of the suite); the as-of rules on small data are in tests/test_statistics.py.
"""

import datetime
import io
import json
import re
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command

from participants.models import Company
from reporting.questions.pq244 import pq244_figures
from reporting.questions.pq244.figures import changes
from reporting.questions.pq244.schema import PQ244FiguresSerializer
from tests.clients import client_for
from tests.demo_data import SMALL_POPULATION, demo_data
from tests.factories import (
    UserFactory,
)
from tests.test_statistics import AS_OF, URL, traject_figures
from voorsprong.roles import Role


@pytest.fixture(scope="module")
def seed_output(django_db_setup, django_db_blocker):
    with demo_data(django_db_blocker, *SMALL_POPULATION) as output:
        yield output


@pytest.fixture(scope="module")
def answer(seed_output, django_db_blocker):
    with django_db_blocker.unblock():
        return pq244_figures(AS_OF)


@pytest.fixture
def seeded(seed_output, db):
    return seed_output


class TestTheMinistersAnswer:
    def test_answer_1_approved_companies_per_traject(self, answer):
        assert [(t["code"], t["start_date"], t["approved_companies"]) for t in answer["trajects"]] == [
            ("leren", "2023-05-01", 151),
            ("werk", "2024-01-01", 988),
            ("motivatie", "2025-09-01", 20),
        ]
        assert answer["question"] == 244
        assert answer["as_of"] == "2025-11-26"
        assert 988 < answer["companies_in_any_traject"] < 151 + 988 + 20

    def test_answer_2_size_class_shares(self, answer):
        werk = traject_figures(answer, "werk")
        assert werk["size_class_shares"] == {
            "sme": "61.5",
            "non_profit": "24.5",
            "large": "14.0",
            "unknown": "0.0",
        }
        sizes = werk["size_classes"]
        sme = sizes["micro"] + sizes["small"] + sizes["medium"]
        assert (sme, sizes["non_profit"], sizes["large"]) == (608, 242, 138)
        for code in ("leren", "motivatie"):
            figures = traject_figures(answer, code)
            assert figures["size_class_shares"] == {
                "sme": "100.0",
                "non_profit": "0.0",
                "large": "0.0",
                "unknown": "0.0",
            }

    def test_the_applications_list_lists_the_companies_of_answer_1(self, answer, seeded):
        """``?approved_as_of=2025-11-26`` lists 151 / 988 / 20 applications, each of another company, and
        their size classes at approval are the answer's."""
        client = client_for(UserFactory(role=Role.OFFICER))
        counts = {}
        for code in ("leren", "werk", "motivatie"):
            query = {"traject": code, "approved_as_of": "2025-11-26", "page_size": 500}
            page = client.get("/api/v1/applications/", query).json()
            counts[code], rows = page["count"], page["results"]
            while page["next"]:
                page = client.get(page["next"]).json()
                rows += page["results"]
            figures = traject_figures(answer, code)
            assert len(rows) == counts[code] == figures["approved_companies"]
            assert len({row["company"] for row in rows}) == counts[code]
            by_class = dict.fromkeys(figures["size_classes"], 0)
            for row in rows:
                by_class[row["size_class_at_approval"]] += 1
            assert by_class == figures["size_classes"]
        assert counts == {"leren": 151, "werk": 988, "motivatie": 20}

    def test_answer_3_places(self, answer):
        places = {t["code"]: t["places"] for t in answer["trajects"]}
        assert {p["places"] for p in places["leren"]} == {90}
        assert {p["places"] for p in places["werk"]} == {750}
        assert [(p["start"], p["end"], p["places"]) for p in places["motivatie"]] == [
            ("2025-09-01", "2027-08-31", 253)
        ]
        assert all(p["start"] <= "2025-11-26" for traject in places.values() for p in traject)
        assert [p["taken"] for p in places["werk"]] == [420, 568]
        assert [p["taken"] for p in places["motivatie"]] == [20]
        assert sum(p["taken"] for p in places["leren"]) == 151

    def test_answer_4_funding_to_the_cent(self, answer):
        funding = {t["code"]: t["funding"] for t in answer["trajects"]}
        assert funding == {
            "leren": {
                "total": "6722000.00",
                "eu": "2688800.00",
                "flemish": "4033200.00",
                "own_promoter": "0.00",
                "own_company": "0.00",
            },
            "werk": {
                "total": "62500000.00",
                "eu": "25000000.00",
                "flemish": "28125000.00",
                "own_promoter": "9375000.00",
                "own_company": "0.00",
            },
            "motivatie": {
                "total": "11000000.00",
                "eu": "4400000.00",
                "flemish": "6600000.00",
                "own_promoter": "0.00",
                "own_company": "0.00",
            },
        }

    def test_answer_5_partners(self, answer):
        def names(code, kind=None):
            return {p["name"] for p in traject_figures(answer, code)["partners"] if kind in (None, p["kind"])}

        assert names("leren", "service_provider") == {
            "Alert!",
            "Vico Consult",
            "Room without a Roof",
            "Obelisk",
        }
        assert names("werk", "promoter") == {
            "Voka",
            "UNIZO",
            "Verso",
            "Emino",
            "I-Diverso",
            "Werkplekarchitecten",
            "Keerpunt",
        }
        assert names("werk", "union") == {"ABVV", "ACLVB", "ACV"}
        werk = traject_figures(answer, "werk")
        assert [p["name"] for p in traject_figures(answer, "leren")["partners"]] == [
            "Alert!",
            "Vico Consult",
            "Room without a Roof",
            "Obelisk",
        ]  # the answer's order: the order the projects were registered in
        assert len(werk["projects"]) == 7 and len(werk["partnerships"]) == 3
        keerpunt = werk["projects"][-1]["organisations"]
        assert [(o["name"], o["kind"]) for o in keerpunt] == [
            ("Keerpunt", "promoter"),
            ("ABVV", "union"),
            ("ACLVB", "union"),
            ("ACV", "union"),
        ]
        assert traject_figures(answer, "motivatie")["partners"] == []

    def test_answer_6_no_evaluations_yet(self, answer):
        for traject in answer["trajects"]:
            assert traject["evaluations"]["responses"] == 0
            assert traject["evaluations"]["recommendations"] == []
        assert traject_figures(answer, "leren")["evaluations"]["completed"] == 0

    def test_answer_7_communication_up_to_the_date(self, answer):
        actions = {t["code"]: t["communication_actions"] for t in answer["trajects"]}
        # The two waves up to the date, and the follow-up of January 2026 announced before it.
        assert len(actions["leren"]) == len(actions["werk"]) == 5 + 3
        assert len(actions["motivatie"]) == 6 + 3
        later = [action for action in actions["motivatie"] if action["date"] > "2025-11-26"]
        assert {action["campaign"] for action in later} == {"Vervolgcampagne 2026"}
        assert min(action["date"] for action in later)[:7] == "2026-01"
        assert {a["channel"] for a in actions["motivatie"]} >= {"social_media", "print", "event", "mailing"}

    def test_answer_4_own_means_of_the_companies(self, answer):
        assert {t["code"]: t["own_company_share"] for t in answer["trajects"]} == {
            "leren": "0.0",
            "werk": "0.0",
            "motivatie": "15.0",
        }

    def test_the_ministers_statements_hold_on_the_date(self, answer):
        said = {(item["answer"], item["traject"]): item["text"] for item in answer["statements"]}
        assert said[6, "werk"] == "Ik verwacht de resultaten van de evaluaties in de zomer van 2026."
        assert said[6, "motivatie"].startswith("Gezien de recente opstart van Voorsprong in motivatie")
        assert "de drie partnerschappen" in said[9, None]
        later = {
            (item["answer"], item["traject"])
            for item in pq244_figures(datetime.date(2026, 11, 1))["statements"]
        }
        assert (6, "werk") not in later and (6, "motivatie") not in later  # ended once evaluations came in
        assert (9, None) in later

    def test_answer_8_initiatives(self, answer):
        assert [i["title"] for i in answer["initiatives"]] == ["Praktijkgids Levenslang Leren", "Leerlens"]

    def test_answer_9_referrals_by_sector_funds(self, answer):
        referrals = traject_figures(answer, "werk")["referrals"]
        assert referrals["total"] == sum(referrals["by_sector_fund"].values()) > 0
        assert 0 < referrals["intakes"] <= referrals["total"]
        assert "Cevora" in referrals["by_sector_fund"]

    def test_no_company_name_or_address_in_the_figures(self, seeded, answer):
        text = json.dumps(answer, ensure_ascii=False)
        later = json.dumps(pq244_figures(datetime.date(2026, 11, 1)), ensure_ascii=False)
        assert "@" not in text
        assert "@" not in later
        for name in Company.objects.values_list("name", flat=True):
            assert name not in text
            assert name not in later

    def test_the_api_and_the_command_give_the_same_figures(self, seeded, answer):
        response = client_for(UserFactory(role=Role.CABINET)).get(URL, {"as_of": "2025-11-26"})
        assert response.json() == answer
        output = io.StringIO()
        call_command("pq244", "--as-of", "2025-11-26", stdout=output)
        assert json.loads(output.getvalue()) == answer

    def test_figures_since_the_question(self, seeded, answer):
        later = pq244_figures(datetime.date(2026, 11, 1))
        rows = {(row["group"], row["figure"]): row for row in changes(answer, later)}
        assert rows["werk", "approved_companies"]["before"] == 988
        assert rows["werk", "approved_companies"]["difference"] > 0
        assert rows["leren", "evaluations.responses"]["after"] > 0

    @pytest.mark.parametrize("fmt", ["pdf", "docx"])
    def test_every_document_gives_each_figure_of_the_json_in_its_answer(self, answer, fmt):
        """The cabinet's documents say what the JSON says, figure by figure, answer by answer."""
        from reporting.documents import render_report
        from tests.test_documents import document_answers, missing_figures

        content = render_report(answer, fmt)
        assert missing_figures(answer, document_answers(fmt, content), hyphens=fmt != "pdf") == {}

    def test_the_schema_serializer_gives_the_figures_back_unchanged(self, answer):
        assert PQ244FiguresSerializer(answer).data == answer


# -- the generated text beside the minister's, sentence by sentence ----------------------------------------
# (answer, the minister's sentence, the sentence generated from the demo data as of 26 November 2025, the
# names it must share). Every number of the minister's sentence must be in the generated one too; the
# generated sentences come in the answer's order. Where the words differ, the facts do not.
MINISTERS_ANSWER = [
    (1, "Voorsprong in leren | Mei 2023 | 151", "Voorsprong in leren Mei 2023 151", ()),
    (1, "Voorsprong in werk | Januari 2024 | 988", "Voorsprong in werk voor iedereen Januari 2024 988", ()),
    (1, "Voorsprong in motivatie | September 2025 | 20", "Voorsprong in motivatie September 2025 20", ()),
    (2, "Voorsprong in leren is enkel gericht op KMO's.", "Voorsprong in leren bereikt enkel KMO's", ()),
    (
        2,
        "In Voorsprong naar werk voor iedereen, bereiken we 61,5% KMO's en micro-ondernemingen, 24,5% "
        "non-profitorganisaties en 14% grote bedrijven.",
        "In Voorsprong in werk voor iedereen bereiken we 61,5% KMO's en micro-ondernemingen, 24,5% "
        "non-profitorganisaties en 14% grote bedrijven.",
        (),
    ),
    (
        2,
        "Voorsprong in motivatie is enkel gericht op KMO's.",
        "Voorsprong in motivatie bereikt enkel KMO's",
        (),
    ),
    (
        3,
        "Voorsprong in leren: 90 begeleidingsplaatsen voor ondernemingen op jaarbasis.",
        "Voorsprong in leren: 90 plaatsen per jaar. Daarvan werden er 35 in 2023, 60 in 2024 en tot nu "
        "toe 56 "
        "in 2025 ingenomen.",
        (),
    ),
    (
        3,
        "Voorsprong in werk voor iedereen: 750 veranderingstrajecten per jaar.",
        "Voorsprong in werk voor iedereen: 750 plaatsen per jaar. Daarvan werden er 420 in 2024 en tot nu "
        "toe "
        "568 in 2025 ingenomen.",
        (),
    ),
    (
        3,
        "Voorsprong in motivatie: 253 KMO's begeleiden overheen 2 jaar.",
        "Voorsprong in motivatie: 253 plaatsen overheen 2 jaar (1 september 2025 – 31 augustus 2027). "
        "Daarvan "
        "werden er tot nu toe 20 ingenomen.",
        (),
    ),
    (
        4,
        "Voorsprong in leren: 6.722.000 euro totaal, waarvan 2.688.800 euro Europese middelen en "
        "4.033.200 euro "
        "Vlaamse subsidies.",
        "Voorsprong in leren: 6.722.000 euro totaal, waarvan 2.688.800 euro Europese middelen en "
        "4.033.200 euro "
        "Vlaamse subsidies.",
        (),
    ),
    (
        4,
        "Voorsprong in werk voor iedereen: 62.500.000 euro totaal, waarvan 25.000.000 euro Europese "
        "middelen, "
        "28.125.000 euro Vlaamse subsidies en 9.375.000 euro eigen inbreng van de promotoren.",
        "Voorsprong in werk voor iedereen: 62.500.000 euro totaal, waarvan 25.000.000 euro Europese "
        "middelen, "
        "28.125.000 euro Vlaamse subsidies en 9.375.000 euro eigen inbreng van de promotoren.",
        (),
    ),
    (
        4,
        "Voorsprong in motivatie: 11.000.000 euro totaal, waarvan 4.400.000 Europese middelen en 6.600.000 "
        "Vlaamse subsidies.",
        "Voorsprong in motivatie: 11.000.000 euro totaal, waarvan 4.400.000 euro Europese middelen en "
        "6.600.000 "
        "euro Vlaamse subsidies.",
        (),
    ),
    (
        4,
        "De begeleide KMO's vullen dit bedrag aan met 15% eigen middelen per begeleiding.",
        "De begeleide KMO's vullen dit bedrag aan met 15% eigen middelen per begeleiding.",
        (),
    ),
    (
        5,
        "Voorsprong in leren werkt met vier dienstverleners die begeleidingen uitvoeren bij de "
        "ondernemingen.",
        "Voorsprong in leren werkt met vier dienstverleners die begeleidingen uitvoeren bij de "
        "ondernemingen.",
        (),
    ),
    (
        5,
        "Deze dienstverleners zijn Alert!, Vico Consult, Room without a Roof en Obelisk.",
        "Deze dienstverleners zijn Alert!, Vico Consult, Room without a Roof en Obelisk.",
        (),
    ),
    (
        5,
        "Voorsprong in werk voor iedereen werkt met zeven administratieve projecten die zich verenigd "
        "hebben in "
        "drie partnerschappen.",
        "Voorsprong in werk voor iedereen werkt met zeven administratieve projecten die zich verenigd "
        "hebben in "
        "drie partnerschappen.",
        (),
    ),
    (
        5,
        "Volgende promotoren hebben een positieve evaluatie gekregen in deze oproep: Voka, UNIZO, Verso, "
        "Emino, "
        "I-Diverso, Werkplekarchitecten en Keerpunt dat een gezamenlijk project heeft ingediend voor "
        "ABBV, ACLVB "
        "en ACV.",
        "De promotoren zijn Voka, UNIZO, Verso, Emino, I-Diverso, Werkplekarchitecten en Keerpunt, dat een "
        "gezamenlijk project heeft ingediend voor ABVV, ACLVB en ACV. Deze promotoren hebben een positieve "
        "evaluatie gekregen in de oproep.",
        ("Voka", "UNIZO", "Verso", "Emino", "I-Diverso", "Werkplekarchitecten", "Keerpunt", "ACLVB", "ACV"),
    ),
    (
        6,
        "Voorsprong in leren: Er zijn op heden nog geen afgeronde trajecten geregistreerd, ik kan "
        "bijgevolg nog "
        "geen evaluatie of aanbevelingen delen.",
        "Voorsprong in leren: Er zijn op heden nog geen afgeronde trajecten geregistreerd, ik kan "
        "bijgevolg nog "
        "geen evaluatie of aanbevelingen delen.",
        (),
    ),
    (
        6,
        "Voorsprong in werk voor iedereen: Ik verwacht de resultaten van de evaluaties in de zomer van 2026.",
        "Ik verwacht de resultaten van de evaluaties in de zomer van 2026.",
        (),
    ),
    (
        6,
        "Voorsprong in motivatie: Gezien de recente opstart van Voorsprong in motivatie kan ik op dit "
        "moment nog "
        "geen evaluatie of aanbevelingen meegeven.",
        "Voorsprong in motivatie: Er zijn op heden nog geen afgeronde trajecten geregistreerd. Gezien de "
        "recente opstart van Voorsprong in motivatie kan ik op dit moment nog geen evaluatie of "
        "aanbevelingen "
        "meegeven.",
        (),
    ),
    (
        7,
        "In februari 2025 startte de campagne Voorsprong in Leren en Voorsprong in Werk voor Iedereen:",
        "In februari 2025 startte de campagne voor Voorsprong in leren en Voorsprong in werk voor iedereen:",
        (),
    ),
    *(
        (7, bullet, bullet, ())
        for bullet in (
            "Website Voorsprongtrajecten: een overkoepelende website (www.voorsprongtrajecten.be) met "
            "daaronder "
            "een doorverwijzing naar de verschillende Voorsprongtrajecten",
            "In kaart brengen en segmentatie van de doelgroep: gerichte mailings en aanpak per segment",
            "Deelpakketten met flyers, affiches, sociale media afbeeldingen & presentaties: Voor "
            "intermediaire "
            "partners met direct contact naar de einddoelgroep, en te gebruiken op events",
            "Nieuwsbrieven & sociale mediaposts op eigen kanalen",
            "Sociale mediacampagnes via Meta, LinkedIn en Google",
        )
    ),
    (
        7,
        "In september 2025 startte het Voorsprongtraject 'Voorsprong in Motivatie'. Hiervoor lanceerden "
        "we een "
        "tweede golf van de campagne:",
        "In september 2025 startte het Voorsprongtraject ‘Voorsprong in motivatie’. Hiervoor lanceerden "
        "we een "
        "tweede golf van de campagne:",
        (),
    ),
    *(
        (7, bullet, bullet, ())
        for bullet in (
            "Sociale mediacampagne op LinkedIn, Meta en YouTube",
            "Nieuwsbrieven & sociale mediaposts op eigen kanalen",
            "Advertenties in Knack Focus, HR focus en HR-magazine",
            "Printadvertenties op bedrijfsterreinen",
            "Beursstand op verschillende events",
            "Gerichte mailings naar onze doelgroep",
        )
    ),
    (
        7,
        "Er komt voor de drie Voorsprongtrajecten een vervolg op de campagne. Die start in januari 2026.",
        "Er komt voor de drie Voorsprongtrajecten een vervolg op de campagne. Die start in januari 2026.",
        (),
    ),
    (
        8,
        "Recentelijk werd de Praktijkgids Levenslang Leren voor bedrijven beschikbaar gesteld via "
        "vlaanderen.be/levenslangleren.",
        "Recentelijk werd de Praktijkgids Levenslang Leren voor bedrijven beschikbaar gesteld via "
        "vlaanderen.be/levenslangleren.",
        (),
    ),
    (
        8,
        "Daarnaast ontwikkelt mijn administratie momenteel Leerlens, een digitale reflectietool die "
        "informeel "
        "leren zichtbaar, bespreekbaar en versterkend maakt.",
        "Daarnaast ontwikkelt mijn administratie momenteel Leerlens, een digitale reflectietool die "
        "informeel "
        "leren zichtbaar, bespreekbaar en versterkend maakt.",
        (),
    ),
    (
        9,
        "In de Voorsprongtrajecten werk voor iedereen zijn er concrete afspraken gemaakt tussen de "
        "sectorfondsen "
        "en de drie partnerschappen waardoor de sectorconsulenten kandidaat-bedrijven kunnen aanbrenge en "
        "zelf "
        "ook een intake kunnen doen.",
        "In de Voorsprongtrajecten werk voor iedereen zijn er concrete afspraken gemaakt tussen de "
        "sectorfondsen "
        "en de drie partnerschappen waardoor de sectorconsulenten kandidaat-bedrijven kunnen aanbrengen "
        "en zelf "
        "ook een intake kunnen doen.",
        (),
    ),
    (
        9,
        "De sectorconsulent kan, indien gewenst, mee op de hoogte blijven van de vorderingen in het "
        "aangebrachte "
        "bedrijf.",
        "De sectorconsulent kan, indien gewenst, mee op de hoogte blijven van de vorderingen in het "
        "aangebrachte "
        "bedrijf.",
        (),
    ),
]
NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")


def test_every_number_and_name_of_the_ministers_sentence_is_in_the_generated_one():
    """The table itself: the generated sentences keep the minister's facts, whatever their words."""
    for _answer, ministers, generated, names in MINISTERS_ANSWER:
        for fact in [*NUMBER.findall(ministers), *names]:
            assert fact in generated, (fact, generated)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_answer_of_26_november_2025_states_the_ministers_facts_in_order(seeded, fmt):
    from reporting.documents import render_report
    from tests.test_documents import document_answers

    figures = pq244_figures(AS_OF)
    content = render_report(figures, fmt)
    answers = document_answers(fmt, content)
    # pdftotext drops the hyphen where it breaks a word over two lines: the PDF is compared without them.
    plain = (lambda text: text) if fmt == "docx" else (lambda text: text.replace("-", ""))
    position = dict.fromkeys(answers, 0)
    for number, _ministers, generated, _names in MINISTERS_ANSWER:
        text, sentence = plain(answers[number]), plain(generated)
        found = text.find(sentence, position[number])
        assert found >= 0, (number, generated, answers[number])
        position[number] = found + len(sentence)
    whole = " ".join(answers.values())
    assert "geen partners geregistreerd" not in whole
    # Never a total over several years beside the places of one year.
    assert not re.search(r"(?:151|988) ingenomen|tot nu toe (?:151|988)\b", whole)
    assert figures["fingerprint"] not in whole


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_fingerprint_is_in_the_footer_and_properties_not_in_the_text_to_paste(seeded, fmt):
    from reporting.documents import render_report
    from tests.test_documents import docx_text, pdf_text

    figures = pq244_figures(AS_OF)
    content = render_report(figures, fmt)
    if fmt == "docx":
        import docx

        word = docx.Document(io.BytesIO(content))
        body = "\n".join(paragraph.text for paragraph in word.paragraphs)
        footer = "\n".join(paragraph.text for paragraph in word.sections[0].footer.paragraphs)
        assert figures["fingerprint"] in footer
        assert word.core_properties.keywords == figures["fingerprint"]
        assert figures["fingerprint"] in docx_text(content)
    else:
        lines = pdf_text(content).splitlines()
        footers = [line for line in lines if line.startswith("Vingerafdruk ")]
        assert footers and all(line.split()[1] == figures["fingerprint"] for line in footers)
        body = "\n".join(line for line in lines if not line.startswith("Vingerafdruk "))
        info = subprocess.run(
            ["pdfinfo", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
        assert figures["fingerprint"] in info  # the document's keywords
    assert figures["fingerprint"] not in body
    assert "vingerafdruk van de gegevens" not in body.lower()


def test_a_later_date_follows_the_data_in_the_same_words(seeded):
    """On 1 November 2026 the follow-up has run, evaluations came in and a fourth year of places opened: the
    sentences say so as they said the answer's facts, and the ended statements are gone."""
    from reporting.documents import render_report
    from reporting.documents.formatting import share
    from tests.test_documents import docx_answers

    figures = pq244_figures(datetime.date(2026, 11, 1))
    answers = docx_answers(render_report(figures, "docx"))
    leren = traject_figures(figures, "leren")["places"]
    taken = [number_["taken"] for number_ in leren]
    assert [row["start"][:4] for row in leren] == ["2023", "2024", "2025", "2026"]
    assert (
        f"Voorsprong in leren: 90 plaatsen per jaar. Daarvan werden er {taken[0]} in 2023, {taken[1]} in "
        f"2024, "
        f"{taken[2]} in 2025 en tot nu toe {taken[3]} in 2026 ingenomen." in answers[3]
    )
    assert (
        "In januari 2026 startte een vervolg op de campagne voor de drie Voorsprongtrajecten:" in answers[7]
    )
    assert "Er komt" not in answers[7]
    assert "zomer van 2026" not in answers[6] and "recente opstart" not in answers[6]
    werk = traject_figures(figures, "werk")["evaluations"]
    assert f"{werk['responses']} van de {werk['completed']} bedrijven met een afgerond traject" in answers[6]
    assert f"De responsgraad bedraagt {share(werk['response_rate'])}." in answers[6]
    policy = werk["training_policy"]
    # The demo's companies take up a training policy during the coaching.
    assert Decimal(policy["before"]) < Decimal(policy["after"])
    assert (
        f"had {share(policy['before'])} bij de start een opleidingsbeleid (VTO-beleid) en "
        f"{share(policy['after'])} bij de afronding." in answers[6]
    )
    assert "de drie partnerschappen" in answers[9]
