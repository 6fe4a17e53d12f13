"""The published results: one self-contained page for the portal's 政务公开 column (``index.html``), the
same document printed to PDF by a real browser (``通报.pdf``), and the figures as data (``results.csv``,
``results.json``). :mod:`.model` builds what they all show, once; :mod:`.page`, :mod:`.data` and
:mod:`.pdf` write it."""
