"""What the apps above add to an article's page, its card and its related reading.

`articles` imports none of them: each registers an `ArticleExtension` in its AppConfig.ready
(series adds the strip, the BlogPosting's series and the card's "Series · Part 2").
"""


class ArticleExtension:
    def shape(self, articles):
        """The article page's queryset, joined to what `page_context` reads."""
        return articles

    def page_context(self, article):
        """Extra context for the article page (and `part` for its metadata)."""
        return {}

    def card_eyebrow(self, article):
        """The line above the title on the article's social card, in the active language."""
        return ""

    def later_articles(self, article):
        """Articles to read next, in reading order, or None."""
        return None

    def change_keys(self, article):
        """The keys of what lists the article, when it joins or leaves the site's lists."""
        return []

    def grouped_articles(self, keys):
        """The ids of the articles that objects named by a change's keys group, whose related
        reading the change may reorder (a series' parts: which part comes next)."""
        return []


_extensions = []


def register(extension):
    if extension not in _extensions:
        _extensions.append(extension)


def shape(articles):
    for extension in _extensions:
        articles = extension.shape(articles)
    return articles


def page_context(article):
    context = {}
    for extension in _extensions:
        context.update(extension.page_context(article))
    return context


def card_eyebrow(article):
    return next(filter(None, (e.card_eyebrow(article) for e in _extensions)), "")


def later_articles(article):
    return next(
        (a for a in (e.later_articles(article) for e in _extensions) if a is not None), None
    )


def change_keys(article):
    return [key for extension in _extensions for key in extension.change_keys(article)]


def grouped_articles(keys):
    return {pk for extension in _extensions for pk in extension.grouped_articles(keys)}
