"""A person's own data: download all of it, or delete the account (``/account/``).

The names stay un-namespaced, next to allauth's ``account_*`` pages."""

from django.urls import path

from sessions.views import account

urlpatterns = [
    path("data/", account.data_page, name="account_data"),
    path("data/download/", account.data_download, name="account_data_download"),
    path("delete/", account.account_delete, name="account_delete"),
    path("deleted/", account.account_deleted, name="account_deleted"),
]
