"""bot/admin/forwards.py: what a forwarded post becomes, built from real PTB objects."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import (
    Chat,
    Message,
    MessageEntity,
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    PhotoSize,
    User,
)

from bot.admin.forwards import EmptyPostError, draft_from_forward, with_links

POSTED = datetime(2024, 5, 17, 9, 30, tzinfo=UTC)
ADMIN_CHAT = Chat(id=1001, type=Chat.PRIVATE)
LABEL = "mensaje reenviado"
POST = (
    "La AEMET activa el aviso rojo por lluvias en Valencia. "
    "Se esperan hasta 180 litros por metro cuadrado en doce horas.\n"
    "Protección Civil pide evitar los desplazamientos."
)


def channel(username: str | None = "diariodelturia") -> MessageOriginChannel:
    chat = Chat(id=-1001234567890, type=Chat.CHANNEL, title="Diario del Turia", username=username)
    return MessageOriginChannel(date=POSTED, chat=chat, message_id=4321, author_signature="Ana")


def forward(
    origin: MessageOrigin | None,
    text: str | None = POST,
    message_id: int = 77,
    **fields: object,
) -> Message:
    return Message(
        message_id=message_id,
        date=datetime(2024, 5, 18, tzinfo=UTC),
        chat=ADMIN_CHAT,
        forward_origin=origin,
        text=text,
        **fields,  # type: ignore[arg-type]
    )


def test_public_channel_post_names_the_channel_and_links_the_post() -> None:
    draft = draft_from_forward(forward(channel()), LABEL)
    assert draft.source == "Diario del Turia"
    assert draft.url == "https://t.me/diariodelturia/4321"
    assert draft.published == POSTED
    assert draft.origin == "tg:-1001234567890:4321"
    assert draft.text == POST
    assert draft.title == POST.split("\n")[0]  # the first line (short enough to be the title)


def test_the_same_channel_post_has_one_origin_whoever_forwards_it() -> None:
    first = draft_from_forward(forward(channel(), message_id=1), LABEL)
    again = Message(
        message_id=900,
        date=datetime(2024, 6, 1, tzinfo=UTC),
        chat=Chat(id=2002, type=Chat.PRIVATE),
        forward_origin=channel(),
        text=POST,
    )
    assert draft_from_forward(again, LABEL).origin == first.origin


def test_private_channel_has_no_link() -> None:
    draft = draft_from_forward(forward(channel(username=None)), LABEL)
    assert (draft.source, draft.url) == ("Diario del Turia", "")


def test_group_post_names_the_group() -> None:
    group = Chat(id=-100555, type=Chat.SUPERGROUP, title="Vecinos de Russafa")
    draft = draft_from_forward(forward(MessageOriginChat(date=POSTED, sender_chat=group)), LABEL)
    assert (draft.source, draft.url) == ("Vecinos de Russafa", "")
    assert draft.origin == "tg:1001:77"  # no message id in the origin: the copy here stands in


@pytest.mark.parametrize(
    "origin",
    [
        MessageOriginUser(
            date=POSTED, sender_user=User(id=42, first_name="Lucía", is_bot=False, username="lu")
        ),
        MessageOriginHiddenUser(date=POSTED, sender_user_name="Lucía Pérez"),
    ],
)
def test_posts_from_people_store_no_identity(origin: MessageOrigin) -> None:
    draft = draft_from_forward(forward(origin), "forwarded message")
    assert (draft.source, draft.url) == ("forwarded message", "")
    stored = " ".join(str(v) for v in vars(draft).values())
    for identity in ("Lucía", "42", "@lu", "Pérez"):
        assert identity not in stored


def test_caption_of_a_photo_is_the_text() -> None:
    photo = (PhotoSize("file-1", "unique-1", 800, 600),)
    message = forward(channel(), text=None, caption=POST, photo=photo)
    assert draft_from_forward(message, LABEL).text == POST


@pytest.mark.parametrize(("text", "caption"), [(None, None), (None, "  \n "), ("   ", None)])
def test_a_post_without_words_is_refused(text: str | None, caption: str | None) -> None:
    photo = (PhotoSize("file-1", "unique-1", 800, 600),)
    with pytest.raises(EmptyPostError, match="no text or caption"):
        draft_from_forward(forward(channel(), text=text, caption=caption, photo=photo), LABEL)


def test_a_message_that_is_not_forwarded_is_refused() -> None:
    with pytest.raises(ValueError, match="not forwarded"):
        draft_from_forward(forward(None), LABEL)


def test_long_first_line_gives_a_sentence_title() -> None:
    first = "Primera frase del comunicado. " + "Segunda frase muy larga " * 10
    draft = draft_from_forward(forward(channel(), text=first + "\nOtra línea."), LABEL)
    assert draft.title == "Primera frase del comunicado."


def test_hidden_links_are_kept_in_the_text_after_their_words() -> None:
    # The emoji is two UTF-16 code units: offsets after it must still land on the right words.
    text = "🌧️ Aviso rojo: consulta el mapa aquí y el parte en https://aemet.es/avisos"
    link_at = text.index("aquí")
    offset = len(text[:link_at].encode("utf-16-le")) // 2
    url_at = len(text[: text.index("https")].encode("utf-16-le")) // 2
    entities = (
        MessageEntity(MessageEntity.TEXT_LINK, offset, 4, url="https://aemet.es/mapa"),
        MessageEntity(MessageEntity.URL, url_at, len("https://aemet.es/avisos")),
        MessageEntity(MessageEntity.BOLD, 0, 5),
    )
    draft = draft_from_forward(forward(channel(), text=text, entities=entities), LABEL)
    assert draft.text == (
        "🌧️ Aviso rojo: consulta el mapa aquí (https://aemet.es/mapa) y el parte en "
        "https://aemet.es/avisos"
    )


def test_caption_links_use_caption_entities() -> None:
    caption = "Lee la crónica completa"
    # The entity takes in the space after "crónica": the address still goes right after the word.
    entities = (MessageEntity(MessageEntity.TEXT_LINK, 7, 8, url="https://example.org/c"),)
    message = forward(channel(), text=None, caption=caption, caption_entities=entities)
    assert draft_from_forward(message, LABEL).text == (
        "Lee la crónica (https://example.org/c) completa"
    )


def test_a_link_whose_words_are_its_address_is_not_repeated() -> None:
    text = "Fuente: https://example.org/a"
    entities = (MessageEntity(MessageEntity.TEXT_LINK, 8, 21, url="https://example.org/a/"),)
    assert with_links(text, entities) == text
