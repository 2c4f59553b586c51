from django.urls import path

from federation import views

app_name = "federation"

urlpatterns = [
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/host-meta", views.host_meta, name="host_meta"),
    path(".well-known/nodeinfo", views.nodeinfo_links, name="nodeinfo_links"),
    path("nodeinfo/2.0", views.nodeinfo, name="nodeinfo"),
    path("federation/inbox", views.receive, name="shared_inbox"),
    path("federation/actors/<slug:username>", views.actor, name="actor"),
    path("federation/actors/<slug:username>/inbox", views.receive, name="inbox"),
    path("federation/actors/<slug:username>/outbox", views.outbox, name="outbox"),
    path("federation/actors/<slug:username>/followers", views.followers, name="followers"),
    path("federation/objects/<str:language>/<int:pk>", views.article_object, name="object"),
    path(
        "federation/objects/<str:language>/<int:pk>/<int:generation>",
        views.article_object,
        name="object_again",
    ),
    path("federation/activities/<uuid:pk>", views.activity, name="activity"),
]
