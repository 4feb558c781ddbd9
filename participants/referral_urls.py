from django.urls import path

from participants.views import referrals

app_name = "referrals"
urlpatterns = [
    path("", referrals.referral_list, name="list"),
    path("nieuw/", referrals.new_referral, name="new"),
]
