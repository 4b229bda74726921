from django.urls import path

from courseline.web.risk import views

app_name = "risk"

# Mounted under /cases/<ref:reference>/risk/ by courseline.web.urls.
urlpatterns = [
    path("", views.overview, name="overview"),
    path("assess/<slug:instrument_key>/", views.assess, name="assess"),
    path("<int:assessment_id>/", views.detail, name="detail"),
    path("<int:assessment_id>/refer/<slug:kind>/", views.referral_new, name="referral_new"),
    path("<int:assessment_id>/safety-plan/", views.plan_new, name="plan_new"),
    path("referrals/<int:referral_id>/", views.referral, name="referral"),
    path("safety-plans/<int:plan_id>/", views.plan, name="plan"),
]
