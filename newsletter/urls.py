from django.urls import path

from newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("newsletter/", views.signup_page, name="signup"),
    path("newsletter/subscribe/", views.subscribe, name="subscribe"),
    path("newsletter/check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletter/confirmed/", views.confirmed, name="confirmed"),
    # Before the token pattern: the link in a test email, which belongs to no reader.
    path("newsletter/unsubscribe/test/", views.unsubscribe_test, name="unsubscribe_test"),
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("newsletter/unsubscribe/<str:token>/data.json", views.my_data, name="my_data"),
]
