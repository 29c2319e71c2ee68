"""``CITATION.cff`` is valid Citation File Format 1.2.0 (the keys the schema
requires, with the types it requires) and agrees with the package."""
import datetime
import re
from pathlib import Path

import yaml

import snippet_plugin

ROOT = Path(__file__).resolve().parents[1]
#: Keys CFF 1.2.0 requires at the top level and in a reference.
REQUIRED = ('cff-version', 'message', 'title', 'authors')
REFERENCE_REQUIRED = ('type', 'title', 'authors')


def load_citation():
    return yaml.safe_load((ROOT / 'CITATION.cff').read_text(encoding='utf-8'))


def is_person_or_entity(author):
    """A CFF person has ``family-names``; an entity has ``name``."""
    return isinstance(author, dict) and bool(
        author.get('family-names') or author.get('name'))


def test_citation_has_the_required_keys_and_the_package_version():
    citation = load_citation()
    assert [key for key in REQUIRED if key not in citation] == []
    assert citation['cff-version'] == '1.2.0'
    assert citation['authors'] == [{'name': 'snippet_plugin contributors'}]
    assert str(citation['version']) == snippet_plugin.__version__
    setup_licence = re.search(r"license='([^']+)'",
                              (ROOT / 'setup.py').read_text()).group(1)
    assert citation['license'] == setup_licence == 'Apache-2.0'


def test_preferred_citation_is_the_paper_with_its_arxiv_id():
    paper = load_citation()['preferred-citation']
    assert [key for key in REFERENCE_REQUIRED if key not in paper] == []
    assert paper['title'].startswith('Skeleton-Snippet Contrastive Learning')
    assert [a['family-names'] for a in paper['authors']] == [
        'Cheng', 'Liu', 'Morgan', 'Whone', 'Mirmehdi']
    assert all(is_person_or_entity(a) for a in paper['authors'])
    assert isinstance(paper['year'], int)
    assert 2025 <= paper['year'] <= datetime.date.today().year
    assert '2512.16504' in paper['url']
    assert paper['url'] in [i['value'] for i in paper['identifiers']]
