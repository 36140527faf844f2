"""The Chat tab: conversation, example questions, settings, sources panel and article viewer.

Wires ui/chat.py into components and names the API endpoints (``/ask``, which streams,
``/open_source`` and ``/new_conversation``). Does not answer anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from rag.pipeline import Pipeline
from ui.chat import MAX_K, NO_SOURCES, Chat, Exchange, Message
from ui.markup import placeholder
from ui.viewer import EMPTY_VIEWER, cited_article_html, open_from_event, sources_panel, viewer_panel

EXAMPLES = [  # questions the bundled seeds answer, in both languages
    "كم صاروخاً ضرب قاعدة عين الأسد؟",
    "متى بدأت الهدنة بين الفصائل والقوات الأمريكية؟",
    "How many rockets hit Ain al-Asad base?",
    "What did the Iraqi parliament vote for in 2020?",
]


@dataclass
class ChatTab:
    """The components other tabs need to reach (the article filter follows the library)."""

    doc_filter: gr.Dropdown


def build_chat_tab(pipeline: Pipeline, chat: Chat) -> ChatTab:
    """Lay out the Chat tab inside the current ``gr.Tab`` and wire its events."""
    exchanges = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=360):
            chatbot = gr.Chatbot(
                label="Sanad · سند",
                elem_id="sanad-chat",
                height=520,
                sanitize_html=True,
                render_markdown=True,
                latex_delimiters=[],
                line_breaks=False,
                group_consecutive_messages=False,
                placeholder="Ask about the articles, in Arabic or English. · اسأل عن المقالات بالعربية أو بالإنجليزية.",
                buttons=["copy"],
            )
            with gr.Row():
                question = gr.Textbox(
                    show_label=False,
                    placeholder="Your question · سؤالك",
                    elem_id="sanad-question",
                    rtl=False,
                    scale=5,
                    autofocus=True,
                    max_lines=4,
                )
                send = gr.Button("Ask · اسأل", variant="primary", scale=1, min_width=90, elem_id="sanad-send")
            gr.Examples(EXAMPLES, inputs=[question], label="Examples · أمثلة")
            with gr.Row():
                new_chat = gr.Button("New conversation · محادثة جديدة", size="sm", variant="secondary")
            with gr.Accordion("Settings · الإعدادات", open=False, elem_id="sanad-settings"):
                k = gr.Slider(1, MAX_K, value=3, step=1, label="Passages to cite · عدد المقاطع المستشهد بها")
                doc_filter = gr.Dropdown(
                    choices=[],
                    multiselect=True,
                    allow_custom_value=True,
                    label="Only these articles (empty = all) · مقالات محددة",
                    elem_id="sanad-doc-filter",
                )
                with gr.Row():
                    date_from = gr.Textbox(label="From date · من تاريخ", placeholder="YYYY or YYYY-MM or YYYY-MM-DD")
                    date_to = gr.Textbox(label="To date · إلى تاريخ", placeholder="YYYY-MM-DD")
                gr.Markdown("A date range leaves out articles that state no publication date.")
        with gr.Column(scale=2, min_width=320):
            sources = sources_panel(placeholder(NO_SOURCES), elem_id="sanad-sources")
            viewer = viewer_panel(elem_id="sanad-viewer")

    inputs = [question, chatbot, exchanges, k, doc_filter, date_from, date_to]
    outputs = [chatbot, question, sources, exchanges]
    question.submit(chat.respond, inputs, outputs, api_name="ask", concurrency_id="ask")
    send.click(chat.respond, inputs, outputs, api_name="ask_button", api_visibility="private", concurrency_id="ask")

    def card_clicked(evt: gr.EventData) -> str:
        return open_from_event(pipeline, evt)

    sources.click(card_clicked, None, viewer, api_name="chat_card", api_visibility="private", concurrency_limit=None)

    def open_cited(doc_id: str, start: int, end: int) -> str:
        """The article viewer's HTML for one cited span (what a card click shows)."""
        return cited_article_html(pipeline, doc_id, start, end)

    gr.api(open_cited, api_name="open_source", concurrency_limit=None)

    def show_sources(done: list[Exchange], evt: gr.SelectData) -> str:
        return chat.sources_of(done, evt.index)

    chatbot.select(show_sources, [exchanges], sources, api_name="message_sources", api_visibility="private")

    def vote(done: list[Exchange], evt: gr.LikeData) -> None:
        gr.Info(chat.vote(done, evt.index, evt.liked), duration=3)

    chatbot.like(vote, [exchanges], None, api_name="vote", api_visibility="private")

    def reset() -> tuple[list[Message], list[Exchange], str, str]:
        return [], [], placeholder(NO_SOURCES), placeholder(EMPTY_VIEWER)

    new_chat.click(reset, None, [chatbot, exchanges, sources, viewer], api_name="new_conversation")
    chatbot.clear(reset, None, [chatbot, exchanges, sources, viewer], api_name="clear", api_visibility="private")
    return ChatTab(doc_filter)
