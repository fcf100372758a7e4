"""The account pages' addresses (docs/contract.md « Comptes »): sign-in and sign-out, which
replace Django's own views of the same names, ProConnect, invitations and people."""

from django.urls import path

from . import proconnect, views

app_name = "accounts"

# Included without a namespace, before django.contrib.auth.urls: these two take the names
# `login` and `logout` that the templates already use.
auth_overrides = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]

urlpatterns = [
    path("proconnect/connexion/", proconnect.LoginView.as_view(), name="proconnect-login"),
    path("proconnect/retour/", proconnect.CallbackView.as_view(), name="proconnect-callback"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<int:pk>/renvoi/", views.invitation_resend, name="invitation-resend"),
    path("invitations/<int:pk>/revocation/", views.invitation_revoke, name="invitation-revoke"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("personnes/<int:pk>/activation/", views.person_active, name="person-active"),
]
