"""The English catalogue is complete, compiled and current, and English pages show no Chinese chrome.

Source strings are Chinese (LANGUAGE_CODE = "zh-hans"); `locale/en/LC_MESSAGES/django.po` holds the
English, and the compiled `django.mo` is committed so a fresh machine needs no gettext tools.

After adding or changing interface strings:

    .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --ignore=bench \
        --ignore=tests --ignore=artifacts --no-obsolete
    # translate every empty msgstr, remove every "#, fuzzy" flag, then:
    .venv/bin/python manage.py compilemessages -l en --ignore=.venv

The .po checks below read the files with a small parser (no gettext tools, no extra package). The check
that every source string is in the catalogue runs `makemessages` in a copy of the project, so it needs
`xgettext` and is marked to skip where it is missing.
"""

import gettext
import re
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
PO_PATH = Path("locale", "en", "LC_MESSAGES", "django.po")
PO = ROOT / PO_PATH
MO = PO.with_suffix(".mo")

# The same folders the makemessages command above ignores.
MAKEMESSAGES_IGNORE = [".venv", "staticfiles", "bench", "tests", "artifacts"]
MAKEMESSAGES = ["makemessages", "-l", "en", "--no-obsolete", *(f"--ignore={name}" for name in MAKEMESSAGES_IGNORE)]

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Han characters plus CJK and full-width punctuation (“：”, “，”, “（”...).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]|\{[A-Za-z_][A-Za-z_0-9]*\}")


# ---------------------------------------------------------------------------
# A small .po and .mo reader
# ---------------------------------------------------------------------------
@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def where(self) -> str:
        return self.references[0] if self.references else "?"

    @property
    def key(self) -> str:
        """The key gettext stores the entry under: context, EOT, msgid (plurals add NUL and the plural)."""
        key = self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"
        return key if self.msgid_plural is None else f"{key}\x00{self.msgid_plural}"

    @property
    def value(self) -> str:
        return "\x00".join(self.msgstr[i] for i in sorted(self.msgstr))


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted PO string: {text!r}")
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") first."""
    entries: list[Entry] = []
    entry = Entry()
    current: tuple[str, int] | None = None
    seen_msgid = False

    def finish() -> None:
        nonlocal entry, current, seen_msgid
        if seen_msgid:
            entries.append(entry)
        entry, current, seen_msgid = Entry(), None, False

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].lstrip()
            if not line:
                continue
        if not line.strip():
            finish()
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith("#:"):
            entry.references += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert current, f"continuation line outside an entry in {path}: {line!r}"
            name, index = current
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, getattr(entry, name) + _unquote(line))
        else:
            keyword, _, rest = line.partition(" ")
            if seen_msgid and keyword in ("msgctxt", "msgid"):
                finish()  # an entry with no blank line before the next one
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                current = ("msgstr", int(match.group(1)))
                entry.msgstr[current[1]] = _unquote(rest)
            elif keyword == "msgstr":
                current = ("msgstr", 0)
                entry.msgstr[0] = _unquote(rest)
            elif keyword in ("msgctxt", "msgid", "msgid_plural"):
                current = (keyword, 0)
                setattr(entry, keyword, _unquote(rest))
                seen_msgid = seen_msgid or keyword == "msgid"
            else:
                raise AssertionError(f"unknown PO line in {path}: {line!r}")
    finish()
    return entries


def parse_mo(path: Path) -> dict[str, str]:
    """The raw key -> value table of a compiled GNU .mo file (either byte order)."""
    data = path.read_bytes()
    for order in ("<", ">"):
        magic, revision, count, ids_at, strs_at = struct.unpack(f"{order}5I", data[:20])
        if magic == 0x950412DE:
            break
    else:
        raise AssertionError(f"{path} is not a GNU .mo file")
    assert revision >> 16 in (0, 1), f"unknown .mo revision {revision:#x}"
    table = {}
    for i in range(count):
        id_len, id_at = struct.unpack(f"{order}2I", data[ids_at + 8 * i : ids_at + 8 * i + 8])
        str_len, str_at = struct.unpack(f"{order}2I", data[strs_at + 8 * i : strs_at + 8 * i + 8])
        table[data[id_at : id_at + id_len].decode()] = data[str_at : str_at + str_len].decode()
    return table


def catalogue() -> list[Entry]:
    """The live entries of the committed English catalogue, header excluded."""
    return [entry for entry in parse_po(PO)[1:] if not entry.obsolete]


def listing(entries: list[Entry], limit: int = 40) -> str:
    lines = [f"  {entry.where}: {entry.msgid!r}" for entry in entries[:limit]]
    if len(entries) > limit:
        lines.append(f"  ... and {len(entries) - limit} more")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The catalogue itself
# ---------------------------------------------------------------------------
def test_po_parser_reads_the_catalogue():
    entries = parse_po(PO)
    header = entries[0]
    assert header.msgid == ""
    assert "Language: en" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    assert "fuzzy" not in header.flags, "the header is still marked fuzzy"
    live = catalogue()
    assert len(live) > 1000, "the English catalogue looks truncated"
    assert len({entry.key for entry in live}) == len(live), "an entry appears twice"
    by_id = {entry.msgid: entry for entry in live}
    assert by_id["退出"].msgstr[0] == "Log out"
    assert any(entry.msgid_plural for entry in live), "plural entries are read"


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = catalogue()
    untranslated = [e for e in entries if not e.msgstr or any(not text.strip() for text in e.msgstr.values())]
    fuzzy = [e for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated entries in {PO}:\n{listing(untranslated)}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {PO} (check, then remove the flag):\n{listing(fuzzy)}"


def test_no_obsolete_entries_are_kept():
    obsolete = [entry for entry in parse_po(PO)[1:] if entry.obsolete]
    assert not obsolete, f"obsolete (#~) entries in {PO}; rerun makemessages with --no-obsolete:\n{listing(obsolete)}"


def test_plural_entries_have_both_english_forms():
    wrong = [e for e in catalogue() if e.msgid_plural is not None and sorted(e.msgstr) != [0, 1]]
    assert not wrong, f"plural entries need msgstr[0] and msgstr[1]:\n{listing(wrong)}"


def test_translations_keep_every_placeholder():
    wrong = []
    for entry in catalogue():
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        wanted = {placeholder for source in sources for placeholder in PLACEHOLDER.findall(source)}
        for text in entry.msgstr.values():
            # %(n)s may be left out of the singular English form ("one item"), never anything else.
            got = set(PLACEHOLDER.findall(text))
            if got - wanted or (wanted - got and entry.msgid_plural is None):
                wrong.append(entry)
                break
    assert not wrong, f"placeholders differ between msgid and msgstr:\n{listing(wrong)}"


def test_english_translations_contain_no_chinese():
    chinese = [e for e in catalogue() if any(HAN.search(text) for text in e.msgstr.values())]
    assert not chinese, f"English msgstr still in Chinese:\n{listing(chinese)}"


# ---------------------------------------------------------------------------
# The compiled catalogue matches the .po
# ---------------------------------------------------------------------------
def test_compiled_mo_matches_the_po():
    entries = parse_po(PO)
    expected = {entry.key: entry.value for entry in entries if not entry.obsolete and "fuzzy" not in entry.flags}
    compiled = parse_mo(MO)
    # msgfmt leaves the extraction time out of the compiled header; the rest of the header must match.
    expected[""] = re.sub(r"POT-Creation-Date: [^\n]*\n", "", expected[""])
    missing = sorted(set(expected) - set(compiled))
    extra = sorted(set(compiled) - set(expected))
    different = sorted(key for key in set(expected) & set(compiled) if expected[key] != compiled[key])
    hint = "recompile: .venv/bin/python manage.py compilemessages -l en --ignore=.venv"
    assert not missing, f"{len(missing)} entries of the .po are not in {MO.name} ({hint}): {missing[:20]}"
    assert not extra, f"{len(extra)} entries of {MO.name} are no longer in the .po ({hint}): {extra[:20]}"
    assert not different, f"{len(different)} entries differ between .po and .mo ({hint}): {different[:20]}"


def test_python_gettext_reads_the_compiled_catalogue():
    with MO.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    assert translations.info()["language"] == "en"
    for entry in catalogue():
        if entry.msgid_plural is not None:
            assert translations.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr[0]
            assert translations.ngettext(entry.msgid, entry.msgid_plural, 2) == entry.msgstr[1]
        elif entry.msgctxt is not None:
            assert translations.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr[0]
        else:
            assert translations.gettext(entry.msgid) == entry.msgstr[0]


# ---------------------------------------------------------------------------
# Every source string is in the catalogue (needs xgettext)
# ---------------------------------------------------------------------------
def _copy_ignore(directory: str, names: list[str]) -> set[str]:
    skipped = set(MAKEMESSAGES_IGNORE) | {"node_modules", "media", "var", "__pycache__"}
    return {
        name
        for name in names
        if name in skipped or name.startswith(".") or name.startswith("db.sqlite3") or name.endswith((".pyc", ".mo"))
    }


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext) to extract strings")
def test_catalogue_has_every_source_string_and_nothing_else(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=_copy_ignore)
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    fresh = {entry.key: entry for entry in parse_po(copy / PO_PATH)[1:] if not entry.obsolete}
    committed = {entry.key: entry for entry in catalogue()}
    missing = [fresh[key] for key in fresh.keys() - committed.keys()]
    stale = [committed[key] for key in committed.keys() - fresh.keys()]
    hint = "run makemessages (see this module's docstring), translate, compile and commit"
    assert not missing, f"{len(missing)} source strings are not in {PO.name} ({hint}):\n{listing(missing)}"
    assert not stale, f"{len(stale)} entries of {PO.name} are no longer in the source ({hint}):\n{listing(stale)}"


# ---------------------------------------------------------------------------
# Pages in English
# ---------------------------------------------------------------------------
class ChromeText(HTMLParser):
    """The interface text of a page: what templates and forms write, as opposed to data from the database.

    `chrome` collects the title, the site header and navigation (minus the user's own name and the language
    switch, which names Chinese in Chinese), the footer, table headings, form labels, buttons, summaries,
    legends and the placeholder/aria-label/title/alt attributes; options of a select are data (unit names).
    `texts` has every text node of the page outside select options (master data such as unit names).
    """

    CHROME_TAGS = {"title", "header", "nav", "footer", "th", "label", "button", "summary", "legend"}
    DATA_CLASSES = {"who", "lang-switch"}
    DATA_TAGS = {"option", "script", "style"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, inside chrome, inside data)
        self.chrome: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        parent_chrome, parent_data = self.stack[-1][1:] if self.stack else (False, False)
        classes = set((values.get("class") or "").split())
        data = parent_data or tag in self.DATA_TAGS or bool(classes & self.DATA_CLASSES)
        chrome = parent_chrome or tag in self.CHROME_TAGS
        if not data:
            self.chrome += [values[name] for name in ("placeholder", "aria-label", "title", "alt") if values.get(name)]
        if tag not in self.VOID:
            self.stack.append((tag, chrome, data))

    def handle_endtag(self, tag: str) -> None:
        if any(open_tag == tag for open_tag, _, _ in self.stack):
            while self.stack and self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        text = data.strip()
        if not text or (self.stack and self.stack[-1][0] in self.DATA_TAGS):
            return
        self.texts.append(text)
        if self.stack and self.stack[-1][1] and not self.stack[-1][2]:
            self.chrome.append(text)


def english_client(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


ENGLISH_PAGES = [
    pytest.param(None, "login", id="login"),
    pytest.param(None, "service_centers:directory", id="public-service-point-directory"),
    pytest.param(None, "contracts:board_index", id="public-disclosure-board"),
    pytest.param(None, "contracts:award_public", id="public-advanced-list"),
    pytest.param("xiufeng_worker", "workbench:home", id="worker-home"),
    pytest.param("xiufeng_worker", "issues:issue_create", id="worker-log-issue"),
    pytest.param("xiufeng_worker", "issues:issue_mine", id="worker-my-issues"),
    pytest.param("xiufeng_worker", "issues:notification_list", id="worker-notifications"),
    pytest.param("xiufeng_worker", "volunteers:home", id="worker-volunteering"),
]


@pytest.mark.parametrize(("username", "url_name"), ENGLISH_PAGES)
def test_english_page_chrome_has_no_chinese(db, client_as, username, url_name):
    client = english_client(client_as(username) if username else Client())
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    page = ChromeText()
    page.feed(html)
    # The English catalogue is really in use: the site footer and the log-in/out link are English.
    assert "Guilin: urban grassroots party building leading grid governance" in page.chrome
    assert ("Log out" if username else "Log in") in page.chrome
    chinese = [text for text in page.chrome if CJK.search(text)]
    assert not chinese, f"Chinese interface text on the English {url_name} page: {chinese}"
    # Nowhere on the page, data included, may a whole text be a Chinese source string left untranslated
    # (for example a label translated once at import time with gettext instead of gettext_lazy).
    sources = {entry.msgid for entry in catalogue() if HAN.search(entry.msgid) and "%" not in entry.msgid}
    leftovers = sorted({text for text in page.texts if text in sources})
    assert not leftovers, f"untranslated source strings on the English {url_name} page: {leftovers}"


def test_the_language_switch_turns_a_page_english(db):
    client = Client()
    chinese = client.get(reverse("login")).content.decode()
    assert "登录" in chinese
    assert '<html lang="zh-hans">' in chinese
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    english = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in english
    assert "Log in" in english
    assert "登录" not in english
