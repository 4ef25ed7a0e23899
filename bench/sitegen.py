"""Generate a Jekyll site of N varied German posts for benchmarks (deterministic)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

_VOCABULARY = (
    "Kunde Kunden Werkzeug Werkzeuge Besprechung Arbeit Unternehmen Organisation Treffen "
    "digital online schnell gemeinsam heute morgen Lösung Lösungen Herausforderung Team "
    "Entwicklung Zusammenarbeit Projekt Projekte Erfahrung Sicherheit Daten Datenschutz "
    "Netzwerk Beratung Kommunikation Vertrieb Marketing Strategie Wachstum Markt Kultur "
    "und oder aber denn weil dass wenn als wie mit ohne für gegen über unter zwischen "
    "der die das ein eine einen dem den des nicht auch noch schon sehr viel wenig immer "
    "ist sind war waren wird werden hat haben kann können muss müssen soll sollen "
    "natürlich wirklich eigentlich bisher endlich zuerst danach schließlich außerdem"
)
WORDS = _VOCABULARY.split()


def sentence(rng: random.Random, inline: bool = True) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    words[0] = words[0].capitalize()
    if inline and rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = rng.choice(
            [
                f"*{words[i]}*",
                f"**{words[i]}**",
                f"`{words[i]}`",
                f"[{words[i]}](https://example.com/{words[i].lower()})",
            ]
        )
    return " ".join(words) + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng: random.Random, width: int | None) -> str:
    text = " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))
    if not width:
        return text
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def block(rng: random.Random, width: int | None) -> str:
    kind = rng.choices(
        ["p", "h", "list", "olist", "quote", "table", "code", "image", "liquid"],
        [10, 3, 2, 1, 1, 1, 1, 1, 1],
    )[0]
    if kind == "h":
        return "#" * rng.randint(2, 3) + " " + sentence(rng, False).rstrip(".?!")
    if kind == "list":
        return "\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 5)))
    if kind == "olist":
        return "\n".join(f"{i}. {sentence(rng)}" for i in range(1, rng.randint(3, 6)))
    if kind == "quote":
        return "\n".join("> " + line for line in paragraph(rng, 60).split("\n"))
    if kind == "table":
        rows = ["| Name | Beschreibung |", "|------|--------------|"]
        rows += [f"| {rng.choice(WORDS)} | {sentence(rng, False)} |" for _ in range(3)]
        return "\n".join(rows)
    if kind == "code":
        return "```python\ndef beispiel():\n    return 42  # Kommentar\n```"
    if kind == "image":
        return f"![{sentence(rng, False)}](/assets/bild-{rng.randint(1, 99)}.jpg)"
    if kind == "liquid":
        return "{% include hinweis.html %}"
    return paragraph(rng, width)


def post(rng: random.Random, index: int) -> tuple[str, str]:
    year, month, day = 2015 + index % 10, 1 + index % 12, 1 + index % 28
    title = sentence(rng, False).rstrip(".?!")
    name = f"{year}-{month:02d}-{day:02d}-beitrag-{index:05d}.md"
    width = rng.choice([None, None, 72, 80])
    body = "\n\n".join(block(rng, width) for _ in range(rng.randint(8, 16)))
    date = f"{year}-{month:02d}-{day:02d}"
    front = (
        f'---\nlayout: post\ntitle: "{title}"\ndate: {date} 10:00:00 +0100\n'
        f"description: {sentence(rng, False)}\ntags: [Vertrieb, Kultur]\n---\n"
    )
    return name, front + body + "\n"


def generate(root: Path, count: int, languages: list[str], seed: int = 1) -> None:
    rng = random.Random(seed)
    posts = root / "content" / "_posts"
    posts.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        name, text = post(rng, index)
        (posts / name).write_text(text, encoding="utf-8")
    langs = ", ".join(f'"{lang}"' for lang in languages)
    # The posts are untranslated: threshold 0 builds every variant (an identity build), so
    # benchmarks and tests measure and check the whole cycle, not a skipped build.
    (root / "postlingo.toml").write_text(
        f"languages = [{langs}]\nthreshold = 0\n", encoding="utf-8"
    )


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:] or ["en"])
