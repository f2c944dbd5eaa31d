"""Notice: the GDPR Art. 13/14 privacy notice generated from the records, in two layers (a
first layer that fits one screen, then each activity and section to open), previewed and
downloadable as Markdown and HTML in English, Finnish or Swedish. As ``ropa notice
--allow-gaps``: items the law requires and the records lack are listed, never filled in."""

from __future__ import annotations

import base64

import ropa_ui
import streamlit as st

from checker.notice.phrases import LANGUAGES
from checker.views.notice import notice_view

model = ropa_ui.model()
NAMES = {"en": "English", "fi": "suomi", "sv": "svenska"}

st.title("Privacy notice")
st.markdown(
    "The notice data subjects are given under GDPR Art. 13 and 14, generated from the same "
    "graph that is checked, in two layers as the EDPB transparency guidelines recommend: the "
    "first fits one screen; each processing activity and section opens in the preview. "
    "What the records lack is listed in its own section, not guessed."
)
lang = st.radio(
    "Language",
    list(LANGUAGES),
    format_func=lambda code: NAMES.get(code, code),
    horizontal=True,
    key="notice_lang",
)
view = notice_view(model.notice(lang))

if view.gaps:
    with st.expander(
        f":material/warning: {len(view.gaps)} item(s) required by Art. 13/14 are missing from the records",
        expanded=False,
    ):
        for gap in view.gaps:
            st.markdown(f"- {ropa_ui.md(gap)}")
else:
    st.success("The records hold every item Art. 13/14 require.", icon=":material/check_circle:")

columns = st.columns([1, 1, 3])
for column, (label, text, ext, mime) in zip(
    columns,
    [
        ("Markdown", view.markdown, "md", "text/markdown"),
        ("HTML", view.html, "html", "text/html"),
    ],
    strict=False,
):
    column.download_button(
        f"Download {label}",
        text.encode("utf-8"),
        file_name=f"privacy-notice.{lang}.{ext}",
        mime=mime,
        icon=":material/download:",
        key=f"notice_{ext}",
    )

preview, source = st.tabs(["Preview", "Markdown source"])
with preview:
    # A data: address gives the page an opaque origin: it cannot reach the dashboard.
    encoded = base64.b64encode(view.html.encode("utf-8")).decode("ascii")
    st.iframe(f"data:text/html;charset=utf-8;base64,{encoded}", height=900)
with source:
    st.code(view.markdown, language="markdown")
