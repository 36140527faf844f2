"""Look and behaviour of the page: CSS, the small scripts of the clickable panels, the theme.

Direction is set per message and per line (``dir="auto"`` plus ``unicode-bidi: plaintext``) rather
than with Gradio's page-wide ``rtl`` flag, so Arabic and English messages each read their own way.
Gradio 6 takes theme, CSS and head at ``launch()``; ``launch_options()`` gathers them.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

# System fonts only: the page must not fetch web fonts (Sanad runs offline).
FONTS = ["Noto Naskh Arabic", "Noto Sans Arabic", "Segoe UI", "DejaVu Sans", "Arial", "sans-serif"]
MONO = ["DejaVu Sans Mono", "Consolas", "monospace"]

CSS = """
.sanad-answer, .sanad-user, .sanad-error, .sanad-card-excerpt, .sanad-card-title, .sanad-line,
.sanad-point-summary, .sanad-summary-sentence { unicode-bidi: plaintext; text-align: start; }
.sanad-user, .sanad-answer, .sanad-error { line-height: 1.7; }
.sanad-lead { font-weight: 600; margin-bottom: .25rem; }
.sanad-excerpt { margin: .2rem 0; padding-inline-start: .9rem; position: relative; }
.sanad-excerpt::before { content: "•"; position: absolute; inset-inline-start: 0; }
.sanad-ref { color: var(--color-accent); font-weight: 700; white-space: nowrap; }
.sanad-badge { display: inline-block; background: #fff3cd; color: #664d03; border: 1px solid #e6c200;
  border-radius: 6px; padding: .1rem .5rem; font-weight: 700; margin-bottom: .35rem; }
.sanad-notice { font-size: .85em; opacity: .8; margin-bottom: .3rem; }
.sanad-error { color: #9b1c1c; }
.sanad-cursor { opacity: .6; animation: sanad-blink 1s steps(2) infinite; }
@keyframes sanad-blink { 50% { opacity: 0; } }
.sanad-sources { display: flex; flex-direction: column; gap: .5rem; }
.sanad-sources-head { font-weight: 700; }
.sanad-sources-closest .sanad-sources-head { color: #664d03; }
.sanad-card { display: flex; flex-direction: column; gap: .25rem; text-align: start; cursor: pointer;
  border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .55rem .7rem;
  background: var(--background-fill-secondary); font: inherit; color: inherit; width: 100%; }
.sanad-card:hover, .sanad-card:focus-visible, .sanad-card.sanad-active { border-color: var(--color-accent);
  box-shadow: 0 0 0 1px var(--color-accent); }
.sanad-card-head { display: flex; gap: .4rem; align-items: baseline; flex-wrap: wrap; font-weight: 600; }
.sanad-card-date, .sanad-card-id { font-size: .8em; opacity: .7; font-weight: 400; }
.sanad-card-id { direction: ltr; unicode-bidi: isolate; }
.sanad-card-excerpt { display: block; font-size: .95em; line-height: 1.6; }
/* Not sticky: Chromium paints Arabic marks of the text scrolled beneath a sticky header over it. */
.sanad-viewer-head { padding-bottom: .4rem; margin-bottom: .4rem;
  border-bottom: 1px solid var(--border-color-primary); }
.sanad-viewer-title { font-weight: 700; font-size: 1.1em; }
.sanad-viewer-meta { font-size: .85em; opacity: .75; }
.sanad-line { margin: 0 0 .35rem 0; line-height: 1.8; white-space: pre-wrap; }
mark.sanad-hit { background: #ffe066; color: #000; padding: 0 .1em; border-radius: 3px; }
mark.sanad-mark { background: #d3f9d8; color: #000; padding: 0 .1em; border-radius: 3px; }
mark.sanad-phrase { background: #ffe066; color: inherit; font-weight: 600; padding: 0 .1em; border-radius: 3px; }
.sanad-blank { margin: 0; height: .4rem; white-space: pre; overflow: hidden; }
.sanad-empty { opacity: .7; font-style: italic; padding: .5rem 0; }
.sanad-point { margin: .4rem 0 1rem; }
.sanad-point-summary { font-weight: 600; margin-bottom: .35rem; }
.sanad-summary-list { margin: 0 0 .8rem 0; padding-inline-start: 1.2rem; }
.sanad-summary-block { border-bottom: 1px solid var(--border-color-primary); padding: .5rem 0; }
.sanad-status-ok { color: #1b5e20; }
.sanad-status-refused { color: #9b1c1c; }
.sanad-status li { unicode-bidi: plaintext; }
#sanad-header h1 { margin: 0; }
#sanad-header p { margin: .2rem 0; }
#sanad-question textarea { unicode-bidi: plaintext; text-align: start; }
/* Table cells: each cell reads in its own direction, in the page font rather than monospace. */
#sanad-library .cell-wrap, #sanad-timeline .cell-wrap { unicode-bidi: plaintext; font-family: var(--font) !important; }
"""

# Cards carry their span in data attributes; a click tells the server which one to open.
SOURCES_JS = """
element.addEventListener('click', (event) => {
  const card = event.target.closest('.sanad-card');
  if (!card || !element.contains(card)) return;
  element.querySelectorAll('.sanad-card.sanad-active').forEach((c) => c.classList.remove('sanad-active'));
  card.classList.add('sanad-active');
  trigger('click', {doc_id: card.dataset.doc, start: Number(card.dataset.start), end: Number(card.dataset.end)});
});
"""

# After the article re-renders, bring the cited span into view.
VIEWER_JS = """
const reveal = () => {
  const hit = element.querySelector('mark.sanad-hit') || element.querySelector('mark');
  if (hit) setTimeout(() => hit.scrollIntoView({block: 'center', behavior: 'smooth'}), 50);
};
watch('value', reveal);
reveal();
"""


def theme() -> gr.themes.Base:
    return gr.themes.Soft(primary_hue="teal", font=FONTS, font_mono=MONO)


def launch_options() -> dict[str, Any]:
    """Keyword arguments for ``Blocks.launch`` that belong to the look of the app."""
    return {"theme": theme(), "css": CSS, "ssr_mode": False, "footer_links": ["api"]}
