from django.urls import path, register_converter

from courseline.web.cases import views


class ReferenceConverter:
    regex = r"CL-\d{4}-\d{6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "ref")

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("new/", views.case_create, name="create"),
    path("<ref:reference>/", views.case_detail, name="detail"),
    path("<ref:reference>/notes/new/", views.note_add, name="note_add"),
    path("<ref:reference>/notes/<int:note_id>/correct/", views.note_correct, name="note_correct"),
    path("<ref:reference>/notes/<int:note_id>/history/", views.note_history, name="note_history"),
    path("<ref:reference>/people/new/", views.person_add, name="person_add"),
    path("<ref:reference>/people/<int:person_id>/", views.person_edit, name="person_edit"),
    path(
        "<ref:reference>/people/<int:person_id>/portal/",
        views.person_portal,
        name="person_portal",
    ),
    path("<ref:reference>/assign/", views.case_assign, name="assign"),
    path("<ref:reference>/review/", views.case_review, name="review"),
    path("<ref:reference>/close/", views.case_close, name="close"),
    path("<ref:reference>/reopen/", views.case_reopen, name="reopen"),
    path("<ref:reference>/audit/", views.case_audit, name="audit"),
]
