from markdownx.widgets import AdminMarkdownxWidget


class EditorWidget(AdminMarkdownxWidget):
    """markdownx's editor with an "Insert an image" button and a place for upload errors."""

    template_name = "articles/admin/editor_widget.html"
