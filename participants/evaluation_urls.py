from django.urls import path

from participants.views.evaluation import evaluation_form, thanks

app_name = "evaluation"
urlpatterns = [
    # Before the token pattern, which would take "bedankt" for a token; real tokens contain a colon.
    path("bedankt/", thanks, name="thanks"),
    path("<str:token>/", evaluation_form, name="form"),
]
