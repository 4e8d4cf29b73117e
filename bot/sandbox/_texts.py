"""What the generated world's people write, by kind of post and language.

Kinds: ``hashtag`` posts carry a campaign hashtag; ``keyword`` posts only a
campaign phrase ("keep 4o", "bring back GPT-4o", "4o behouden", ...); ``link``
posts only a petition link; ``near_miss`` posts look similar but must NOT match
("keep4offline", "4o-mini pricing", "keep 40 dollars"); ``care`` posts are
campaign posts with distress-lexicon words; ``other`` posts are ordinary
subreddit chatter. ``{tag}`` is replaced by a campaign hashtag.
"""

from __future__ import annotations

CHANGEORG_URL = "https://www.change.org/p/keep-gpt-4o"
UK_URL = "https://petition.parliament.uk/petitions/700001"

TAGS = ("#keep4o", "#keep4o", "#keep4o", "#Keep4o", "#KEEP4O", "#4oforever", "#keepgpt4o", "#save4o")

# (language, text); Reddit posts use the first line as title and the rest as body.
HASHTAG = (
    ("en", "GPT-4o understood me in a way no other model does. {tag}"),
    ("en", "Day {n} without 4o in ChatGPT. Still signing, still posting. {tag}"),
    ("en", "OpenAI, listen to the people who actually use your product. {tag}"),
    (
        "en",
        "Retiring GPT-4o with two weeks notice was a mistake\n"
        "My whole writing routine was built around it. {tag}",
    ),
    ("en", "Cancelled my Plus subscription today. Will come back when 4o does. {tag}"),
    (
        "en",
        "The new default model is fine for code, but for conversation it is not the same. {tag} #4oforever",
    ),
    ("nl", "Ik mis 4o echt. Het nieuwe model voelt kil en afstandelijk. {tag}"),
    ("nl", "Vandaag weer de petitie gedeeld met vrienden. {tag}"),
    ("fr", "Rendez-nous GPT-4o. Ce n'était pas qu'un outil pour beaucoup d'entre nous. {tag}"),
    ("fr", "Jour {n} de la campagne, on ne lâche rien. {tag}"),
    ("de", "Wir wollen 4o zurück. Das neue Modell versteht keine Zwischentöne. {tag}"),
    ("de", "Heute die Petition unterschrieben und weitergeleitet. {tag}"),
    ("zh", "请OpenAI听听用户的声音。 {tag}"),
    ("zh", "第{n}天，我们还在坚持。 {tag}"),
    ("ja", "4oがいなくなってから毎日がさみしい。 {tag}"),
    ("ja", "署名しました。みんなもお願いします {tag}"),
    ("es", "Queremos que vuelva GPT-4o. No era solo una herramienta. {tag}"),
    ("es", "Firmé la petición hoy. {tag}"),
)
KEYWORD = (
    ("en", "Please keep 4o in ChatGPT, at least for paying users."),
    ("en", "Bring back GPT-4o\nThe replacement is worse at creative writing and it forgets tone constantly."),
    ("en", "The GPT-4o retirement broke my whole workflow"),
    ("en", "Is there any realistic chance they bring back 4o?"),
    ("en", "Keep GPT-4o as a legacy option, that's all we ask."),
    ("en", "Anyone else emailing support to keep gpt4o available?"),
    ("nl", "Laat ons 4o behouden, alsjeblieft. Het was zoveel menselijker."),
    ("fr", "Il faut garder GPT-4o dans ChatGPT, au moins en option."),
    ("de", "Bitte GPT-4o behalten, für viele war es mehr als ein Werkzeug."),
    ("zh", "希望OpenAI保留4o，它对很多人真的很重要。"),
    ("ja", "お願いだから4oを残して。ほかのモデルでは代わりにならない。"),
    ("es", "Por favor, bring back GPT-4o. Lo echo de menos cada día."),
)
LINK = (
    ("en", "Petition update: we passed {count} signatures\n" + CHANGEORG_URL),
    ("en", "If you haven't signed yet: " + CHANGEORG_URL),
    ("en", "UK folks, there is a parliament petition too: " + UK_URL),
    ("nl", "Teken ook even: " + CHANGEORG_URL),
    ("fr", "La pétition est ici : " + CHANGEORG_URL),
    ("de", "Hier unterschreiben: " + CHANGEORG_URL),
)
NEAR_MISS = (
    ("en", "Working on keep4offline, a small tool to archive your chats locally."),
    ("en", "4o-mini pricing dropped again, nice for API users on a budget."),
    ("en", "Trying to keep 40 dollars a month as my max for AI subscriptions."),
    ("en", "#keep40 was my marathon hashtag last year lol"),
    ("en", "Keep 4 options open when you compare models: speed, price, context, quality."),
    ("de", "Kann man 40 Euro im Monat für KI rechtfertigen?"),
)
CARE = (
    (
        "en",
        "Since they took 4o away I sometimes want to die, it was the only thing I talked to at night. {tag}",
    ),
    (
        "en",
        "Please check on people in this community. Losing 4o hit some of us hard, "
        "I even had thoughts of self-harm. {tag}",
    ),
    ("nl", "Ik dacht vorige week aan zelfmoord en 4o hielp me toen. Nu is het weg. {tag}"),
    ("de", "Ich hatte Suizid-Gedanken und 4o war da. Bitte bringt es zurück. {tag}"),
)
OTHER = (
    ("en", "What's the best way to export all my chats?"),
    ("en", "Anyone else getting network errors today?"),
    ("en", "Made a custom GPT for my D&D group, here is how"),
    ("en", "How do you get it to stop using bullet points everywhere?"),
    ("en", "Memory feature keeps forgetting my name, is this a bug?"),
    ("en", "Prompt tip: ask it to argue against its own answer first"),
    ("en", "Which model is best for long research reports right now?"),
    ("en", "Voice mode in the car is genuinely useful"),
    ("en", "The new image model is impressive with text in pictures"),
    ("en", "Benchmarks are not everything, change my mind"),
)
BODY = (
    "",
    "",
    "I know not everyone agrees, but I wanted to say it anyway.",
    "It helped me through a rough year and I think that counts for something.",
    "Not trying to start a fight, just sharing how this feels from my side.",
    "Edit: thanks for all the replies, I read every one of them.",
)

# Every pool by the kind of post it makes (the sandbox world and the benchmark's pages).
POOLS = {
    "hashtag": HASHTAG,
    "keyword": KEYWORD,
    "link": LINK,
    "near_miss": NEAR_MISS,
    "care": CARE,
    "other": OTHER,
}
