"""The documents' charts, drawn on the server without a browser or the network.

Each chart is a list of shapes (rectangles and texts in whole pixels). The PDF embeds them as inline
SVG (``reporting/charts/chart.svg``, which WeasyPrint draws); the DOCX gets the very same shapes
painted by Pillow as a PNG, since WeasyPrint cannot rasterise and Word wants a picture.
"""

import io
from dataclasses import dataclass, field
from functools import cached_property

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from reporting.documents.formatting import number, short_period

WIDTH, LABEL_WIDTH, VALUE_WIDTH = 700, 235, 100
BAR_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH
ROW, BAR, FONT_SIZE = 34, 20, 12
TEXT_COLOUR = "#1f1f1f"
SIZE_COLOURS = {
    "micro": "#9fc5e8",
    "small": "#6fa8dc",
    "medium": "#3d85c6",
    "non_profit": "#6aa84f",
    "large": "#e69138",
}
OPENED_COLOUR, TAKEN_COLOUR = "#d9e2ec", "#0b5394"
PNG_SCALE = 2
# The PDF's font when the system has it (fonts-dejavu-core, as in the Dockerfile), else Pillow's own.
PNG_FONTS = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}


def _font(size: int, bold: bool):
    from PIL import ImageFont

    try:
        return ImageFont.truetype(PNG_FONTS[bold], size)
    except OSError:
        return ImageFont.load_default(size=size)


def _text_width(text: str, size: int = FONT_SIZE) -> int:
    """A generous estimate of a text's width, enough to decide whether a label fits."""
    return int(len(text) * size * 0.62) + 1


@dataclass
class Chart:
    title: str
    width: int
    height: int = 0
    shapes: list[dict] = field(default_factory=list)

    def rect(self, x, y, width, height, fill) -> None:
        self.shapes.append(
            {
                "kind": "rect",
                "x": int(x),
                "y": int(y),
                "width": int(width),
                "height": int(height),
                "fill": fill,
            }
        )

    def text(self, x, y, text, anchor="start", bold=False, size=FONT_SIZE, fill=TEXT_COLOUR) -> None:
        """A text whose baseline is at y; anchor start, middle or end as in SVG."""
        self.shapes.append(
            {
                "kind": "text",
                "x": int(x),
                "y": int(y),
                "text": str(text),
                "anchor": anchor,
                "bold": bold,
                "size": size,
                "fill": fill,
            }
        )

    def legend(self, y: int, items: list[tuple[str, str]]) -> None:
        """Swatches and labels flowing over as many lines as they need, from y on."""
        x = LABEL_WIDTH
        for label, colour in items:
            width = 18 + _text_width(label) + 24
            if x + width > self.width and x > LABEL_WIDTH:
                x, y = LABEL_WIDTH, y + 20
            self.rect(x, y, 12, 12, colour)
            self.text(x + 18, y + 11, label)
            x += width
        self.height = y + 22

    @cached_property
    def svg(self) -> SafeString:
        return SafeString(render_to_string("reporting/charts/chart.svg", {"chart": self}))

    @cached_property
    def png(self) -> bytes:
        """The same shapes painted by Pillow, at twice the size for a sharp print."""
        from PIL import Image, ImageDraw

        scale = PNG_SCALE
        image = Image.new("RGB", (self.width * scale, self.height * scale), "white")
        draw = ImageDraw.Draw(image)
        fonts = {}
        for shape in self.shapes:
            if shape["kind"] == "rect":
                x, y = shape["x"] * scale, shape["y"] * scale
                if shape["width"] > 0 and shape["height"] > 0:
                    draw.rectangle(
                        (x, y, x + shape["width"] * scale - 1, y + shape["height"] * scale - 1),
                        fill=shape["fill"],
                    )
                continue
            key = (shape["size"] * scale, shape["bold"])
            font = fonts.get(key) or fonts.setdefault(key, _font(*key))
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[shape["anchor"]]
            position = (shape["x"] * scale, shape["y"] * scale)
            draw.text(position, shape["text"], fill=shape["fill"], font=font, anchor=anchor)
        content = io.BytesIO()
        image.save(content, format="PNG", optimize=True)
        return content.getvalue()


def size_split(trajects: list[dict], labels: dict[str, str]) -> Chart:
    """Per traject one bar of 100%, split into the size classes of its companies, counts on the parts."""
    chart = Chart("Bedrijven per grootteklasse en per traject", WIDTH)
    for index, traject in enumerate(trajects):
        sizes = traject["size_classes"]
        total = sum(sizes.get(name, 0) for name in SIZE_COLOURS)
        top = index * ROW
        chart.text(0, top + ROW // 2 + 4, traject["name"])
        chart.text(WIDTH, top + ROW // 2 + 4, f"{number(total)} bedrijven", anchor="end")
        if not total:
            chart.rect(LABEL_WIDTH, top + (ROW - BAR) // 2, BAR_WIDTH, BAR, "#f3f3f3")
            continue
        before = 0
        for name, colour in SIZE_COLOURS.items():
            count = sizes.get(name, 0)
            x = LABEL_WIDTH + round(before * BAR_WIDTH / total)
            before += count
            width = LABEL_WIDTH + round(before * BAR_WIDTH / total) - x
            if not width:
                continue
            chart.rect(x, top + (ROW - BAR) // 2, width, BAR, colour)
            label = number(count)
            if _text_width(label) + 6 <= width:
                fill = "#ffffff" if name in ("medium", "large", "non_profit") else TEXT_COLOUR
                chart.text(x + width / 2, top + ROW // 2 + 4, label, anchor="middle", fill=fill)
    chart.legend(len(trajects) * ROW + 8, [(labels[name], colour) for name, colour in SIZE_COLOURS.items()])
    return chart


def places(trajects: list[dict]) -> Chart:
    """Per traject and period the places opened (the full bar) and the share of them taken."""
    chart = Chart("Opengestelde en ingenomen plaatsen per traject en periode", WIDTH)
    y = 0
    for traject in trajects:
        if not traject["places"]:
            continue
        chart.text(0, y + 16, traject["name"], bold=True)
        y += 22
        for row in traject["places"]:
            chart.text(16, y + ROW // 2 + 4, short_period(row["start"], row["end"]))
            chart.rect(LABEL_WIDTH, y + (ROW - BAR) // 2, BAR_WIDTH, BAR, OPENED_COLOUR)
            if row["places"]:
                taken = round(min(row["taken"], row["places"]) * BAR_WIDTH / row["places"])
                chart.rect(LABEL_WIDTH, y + (ROW - BAR) // 2, taken, BAR, TAKEN_COLOUR)
            chart.text(
                WIDTH, y + ROW // 2 + 4, f"{number(row['taken'])} van {number(row['places'])}", anchor="end"
            )
            y += ROW
        y += 6
    chart.legend(y + 4, [("Opengesteld", OPENED_COLOUR), ("Ingenomen", TAKEN_COLOUR)])
    return chart
