"""Reader-facing strings, one table for the embed and the no-JS pages.

Add a language by adding a column: every key of ``en`` must exist (a test checks). The embed
gets this table inlined when ``/embed.js`` is served.
"""

from __future__ import annotations

DEFAULT_LANG = "en"

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "comments": "Comments",
        "no_comments": "No comments yet.",
        "leave_reply": "Leave a Reply",
        "reply_to": "Reply to {name}",
        "cancel_reply": "Cancel reply",
        "name": "Name",
        "email": "Email (optional, never shown)",
        "website": "Website (optional)",
        "comment": "Comment",
        "markdown_hint": "Markdown works: *emphasis*, **strong**, [link](https://example.com), `code`.",
        "save_details": "Save my name, email, and website in this browser for the next time I comment.",
        "notify_replies": "Email me when someone replies (needs your email; one-click unsubscribe).",
        "post": "Post Comment",
        "posting": "Posting…",
        "notice": "This site uses rejoinder to reduce spam.",
        "notice_link": "Learn how your comment data is processed.",
        "awaiting": "Your comment is awaiting moderation.",
        "published": "Your comment was published.",
        "edited_done": "Your comment was updated.",
        "deleted_done": "Your comment was deleted.",
        "deleted": "This comment was deleted.",
        "edited": "edited",
        "anonymous": "Anonymous",
        "reply": "Reply",
        "edit": "Edit",
        "delete": "Delete",
        "confirm_delete": "Yes, delete it",
        "edit_comment": "Edit your comment",
        "save": "Save",
        "cancel": "Cancel",
        "more": "Show more comments",
        "error": "Sorry, that did not work:",
        "honeypot": "Leave this field empty",
        "back": "Back to the article",
        "permalink": "Link to this comment",
    },
    "de": {
        "comments": "Kommentare",
        "no_comments": "Noch keine Kommentare.",
        "leave_reply": "Schreibe einen Kommentar",
        "reply_to": "Antwort an {name}",
        "cancel_reply": "Antworten abbrechen",
        "name": "Name",
        "email": "E-Mail (optional, wird nie angezeigt)",
        "website": "Website (optional)",
        "comment": "Kommentar",
        "markdown_hint": "Markdown geht: *kursiv*, **fett**, [Link](https://example.com), `Code`.",
        "save_details": "Meinen Namen, meine E-Mail-Adresse und meine Website in diesem Browser für meinen nächsten Kommentar speichern.",
        "notify_replies": "Benachrichtige mich per E-Mail über Antworten (E-Mail nötig; Abmeldung mit einem Klick).",
        "post": "Kommentar abschicken",
        "posting": "Wird gesendet…",
        "notice": "Diese Website verwendet rejoinder, um Spam zu reduzieren.",
        "notice_link": "Erfahre, wie deine Kommentardaten verarbeitet werden.",
        "awaiting": "Dein Kommentar wartet auf Freischaltung.",
        "published": "Dein Kommentar wurde veröffentlicht.",
        "edited_done": "Dein Kommentar wurde geändert.",
        "deleted_done": "Dein Kommentar wurde gelöscht.",
        "deleted": "Dieser Kommentar wurde gelöscht.",
        "edited": "bearbeitet",
        "anonymous": "Anonym",
        "reply": "Antworten",
        "edit": "Bearbeiten",
        "delete": "Löschen",
        "confirm_delete": "Ja, löschen",
        "edit_comment": "Kommentar bearbeiten",
        "save": "Speichern",
        "cancel": "Abbrechen",
        "more": "Weitere Kommentare anzeigen",
        "error": "Das hat leider nicht geklappt:",
        "honeypot": "Dieses Feld leer lassen",
        "back": "Zurück zum Artikel",
        "permalink": "Link zu diesem Kommentar",
    },
    "fr": {
        "comments": "Commentaires",
        "no_comments": "Pas encore de commentaires.",
        "leave_reply": "Laisser un commentaire",
        "reply_to": "Répondre à {name}",
        "cancel_reply": "Annuler la réponse",
        "name": "Nom",
        "email": "E-mail (facultatif, jamais affiché)",
        "website": "Site web (facultatif)",
        "comment": "Commentaire",
        "markdown_hint": "Markdown accepté : *italique*, **gras**, [lien](https://example.com), `code`.",
        "save_details": "Enregistrer mon nom, mon e-mail et mon site dans ce navigateur pour mon prochain commentaire.",
        "notify_replies": "M’avertir par e-mail des réponses (e-mail requis ; désinscription en un clic).",
        "post": "Publier le commentaire",
        "posting": "Envoi…",
        "notice": "Ce site utilise rejoinder pour réduire le spam.",
        "notice_link": "En savoir plus sur l’utilisation de vos données de commentaire.",
        "awaiting": "Votre commentaire est en attente de modération.",
        "published": "Votre commentaire a été publié.",
        "edited_done": "Votre commentaire a été modifié.",
        "deleted_done": "Votre commentaire a été supprimé.",
        "deleted": "Ce commentaire a été supprimé.",
        "edited": "modifié",
        "anonymous": "Anonyme",
        "reply": "Répondre",
        "edit": "Modifier",
        "delete": "Supprimer",
        "confirm_delete": "Oui, supprimer",
        "edit_comment": "Modifier votre commentaire",
        "save": "Enregistrer",
        "cancel": "Annuler",
        "more": "Afficher plus de commentaires",
        "error": "Désolé, cela n’a pas fonctionné :",
        "honeypot": "Laissez ce champ vide",
        "back": "Retour à l’article",
        "permalink": "Lien vers ce commentaire",
    },
}


def pick_language(wanted: str | None, accept_language: str = "") -> str:
    """An explicit choice if we have it, else the first Accept-Language we have, else English."""
    candidates = [wanted or ""]
    candidates += [part.split(";", 1)[0] for part in accept_language.split(",")[:10]]
    for candidate in candidates:
        code = candidate.strip().lower().split("-", 1)[0]
        if code in STRINGS:
            return code
    return DEFAULT_LANG


def strings(lang: str) -> dict[str, str]:
    return STRINGS.get(lang, STRINGS[DEFAULT_LANG])
