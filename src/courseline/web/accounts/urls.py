from django.urls import path

from courseline.web.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("", views.account, name="account"),
    path("password/", views.change_password, name="change_password"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

manage_patterns = (
    [
        path("users/", views.user_list, name="user_list"),
        path("users/new/", views.user_create, name="user_create"),
        path("users/<int:user_id>/", views.user_edit, name="user_edit"),
        path(
            "users/<int:user_id>/reset-two-factor/",
            views.user_reset_two_factor,
            name="user_reset_two_factor",
        ),
        path("teams/new/", views.team_create, name="team_create"),
        path("audit/export.csv", views.audit_export, name="audit_export"),
    ],
    "manage",
)
