import threading

from articles.stemming import stemmer, stems


def test_each_thread_stems_with_its_own_stemmer():
    # A shared Snowball stemmer mixed up the words of two threads (IndexError under gunicorn).
    found = []
    threads = [threading.Thread(target=lambda: found.append(stemmer("english"))) for _ in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found[0] is not found[1]
    assert stemmer("english") is stemmer("english")


def test_stems_reads_english_and_russian_words():
    assert stems("Pools pooling") == "pool pool"
    assert stems("Индексы индексов") == "индекс индекс"
