"""The daily digest's words in English, German and French (``admin_lang`` picks; default en).
Every key of ``en`` exists in each language (a test checks)."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "subject": "[rejoinder] Daily digest for {day}: {waiting} waiting",
        "intro": "What happened on your sites on {day} (UTC), and what waits for you now.",
        "site_counts": "{site}: {published} published, {held} held, {spam} filed as spam, {discarded} discarded",
        "held_now": "Waiting for moderation ({n}):",
        "filed_recently": "Filed as spam since yesterday ({n}) — check for real comments:",
        "top_signals": "Signals that fired most since yesterday:",
        "why": "Why",
        "anonymous": "Anonymous",
        "approve": "Approve",
        "spam": "Spam",
        "not_spam": "Not spam (publish)",
        "links_note": "Each link works once, without signing in, for {hours} hours.",
        "footer": "All pending comments: {url}",
    },
    "de": {
        "subject": "[rejoinder] Tägliche Zusammenfassung für {day}: {waiting} wartend",
        "intro": "Was am {day} (UTC) auf deinen Websites geschah, und was jetzt auf dich wartet.",
        "site_counts": "{site}: {published} veröffentlicht, {held} zurückgehalten, {spam} als Spam abgelegt, {discarded} verworfen",
        "held_now": "Warten auf Freischaltung ({n}):",
        "filed_recently": "Seit gestern als Spam abgelegt ({n}) — echte Kommentare dabei?",
        "top_signals": "Die häufigsten Signale seit gestern:",
        "why": "Warum",
        "anonymous": "Anonym",
        "approve": "Freischalten",
        "spam": "Spam",
        "not_spam": "Kein Spam (veröffentlichen)",
        "links_note": "Jeder Link wirkt einmal, ohne Anmeldung, {hours} Stunden lang.",
        "footer": "Alle wartenden Kommentare: {url}",
    },
    "fr": {
        "subject": "[rejoinder] Résumé quotidien du {day} : {waiting} en attente",
        "intro": "Ce qui s’est passé sur vos sites le {day} (UTC), et ce qui vous attend maintenant.",
        "site_counts": "{site} : {published} publiés, {held} retenus, {spam} classés en spam, {discarded} écartés",
        "held_now": "En attente de modération ({n}) :",
        "filed_recently": "Classés en spam depuis hier ({n}) — de vrais commentaires ?",
        "top_signals": "Les signaux les plus fréquents depuis hier :",
        "why": "Pourquoi",
        "anonymous": "Anonyme",
        "approve": "Approuver",
        "spam": "Spam",
        "not_spam": "Pas du spam (publier)",
        "links_note": "Chaque lien sert une fois, sans connexion, pendant {hours} heures.",
        "footer": "Tous les commentaires en attente : {url}",
    },
}
