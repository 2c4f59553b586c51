from django.apps import AppConfig


class BlogsiteConfig(AppConfig):
    name = "blogsite"
