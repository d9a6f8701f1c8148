"""Text for synthetic speech: other talk, near-misses, exertion sounds. Training and evaluation
texts are kept apart (``split="train"`` / ``"eval"``)."""

from __future__ import annotations

import random
import re
from pathlib import Path

from assistant.ears.train.texts_ko import KO_EXERTION, KO_LEADINS, KO_NEAR_MISSES, KO_TALK_EVAL, KO_TALK_TRAIN

EN_TALK_TRAIN = """
I think the bus comes at ten past eight.
Could you pass me the towel over there.
We should really clean the kitchen tonight.
My sister is coming to visit next month.
The shop on the corner sells fresh bread.
It has been raining all week long.
Did you remember to feed the cat this morning.
Turn the radio down a little, please.
I left my keys somewhere in the car.
Tomorrow we can go for a walk in the park.
The match starts at half past seven.
She bought a new bike for her birthday.
I can't find the remote control anywhere.
Let me check the calendar for Thursday.
The soup needs a little more salt.
He told me the story about the lighthouse.
This mat is much softer than the old one.
We ran out of milk again.
My neighbour is painting his fence green.
The children are playing in the garden.
I usually drink tea in the afternoon.
That film was longer than I expected.
Please close the window, it's getting cold.
The train was delayed by twenty minutes.
I need to call the dentist on Monday.
There is a meeting at the office after lunch.
Our holiday starts in three weeks.
The flowers in the front yard look lovely.
I'm going to make some pasta for dinner.
Can you hear the birds outside.
Breathe in slowly through your nose.
My arms are getting tired already.
Keep your chin tucked and your shoulders relaxed.
This exercise is harder than it looks.
I feel the burn in my stomach.
One more set and then we're finished for today.
The floor is a bit cold under my back.
Let's try that one more time, nice and slow.
Good morning, and welcome to the evening news.
Traffic is moving slowly on the main road.
Scientists have discovered a new species of frog.
The weather tomorrow will be sunny with light winds.
And now for the sports results.
The team scored twice in the second half.
Prices at the supermarket went up again this month.
The museum opens a new exhibition on Saturday.
Stay tuned for more after the break.
In other news, the bridge will be closed for repairs.
The recipe calls for two eggs and a cup of flour.
Let the dough rest for about an hour.
Water the plants once a week in winter.
The library has extended its opening hours.
Remember to bring an umbrella just in case.
I was thinking about moving to a smaller flat.
He plays the guitar every evening.
The coffee machine at work is broken again.
We watched the sunset from the hill.
Put the groceries on the table, thanks.
The baby finally fell asleep.
Which platform does the train leave from.
It's almost time to go to bed.
What a lovely day it has been.
What do you want for dinner tonight.
What time does the film start.
Wait for me at the station.
I'm ready to leave whenever you are.
Next week we are going to the seaside.
I'll continue reading the book tomorrow.
The pain in my knee went away after a week.
Start the car and let it warm up.
My back arched a little on that one, I think.
The arch of the old bridge is made of stone.
Don't forget to stop at the post office.
Please hold on to the railing on the stairs.
"""

EN_TALK_EVAL = """
The post arrived late again this afternoon.
My brother works at the hospital downtown.
We planted tomatoes and beans in the spring.
The lecture about volcanoes was fascinating.
Could you help me move the sofa later.
The printer has run out of paper.
I'll meet you outside the cinema at eight.
This neighbourhood has changed a lot.
Our cat likes to sleep on the windowsill.
The cake needs another ten minutes in the oven.
Lift your hips and hold the position.
My legs are shaking a bit now.
Keep your lower back flat on the mat.
Please remember to drink enough water.
The forecast says snow in the mountains.
The council will vote on the new park next week.
Police have closed the road after an accident.
Tickets for the concert sold out in an hour.
What a surprise to see you here.
What are you cooking, it smells good.
Wait until the light turns green.
Are you ready for the big day.
Next to the bakery there is a small bookshop.
They will continue the work after the holidays.
She felt a sharp pain in her shoulder yesterday.
He went to the stopwatch shop to buy a present.
The dog put its paws on the window.
I sent my resume to three companies.
""" + """
The weather was lovely yesterday.
We walked along the river to the old bridge.
People were fishing and talking about the game.
I need a drink of water.
One more.
Come on.
Almost there.
That was good.
How many was that.
The phone is ringing.
I will call you back later.
Put the kettle on.
The news at six o'clock.
Tomorrow will be cloudy with some rain.
Keep breathing.
Slowly now.
"""

# words and phrases that sound like commands but are not (said alone or in short phrases)
EN_NEAR_MISSES = [
    "don", "dun", "fun", "down", "dawn", "none", "doing", "donut", "dinner", "nest", "text", "steady",
    "already", "finish line", "fine", "next time", "reading", "ready made",
    "archery", "art", "march", "arctic", "parched", "starched", "bark", "archive", "my back", "back up",
    "paws", "pose", "cause", "because", "pours", "applause", "weight", "white", "waiting", "hold it",
    "assume", "consume", "zoom", "presume", "continent", "contain", "carry", "carrot", "go home", "gone",
    "stopwatch", "shop", "top", "step", "stock", "stopped", "stopping", "spot", "enough said", "stuff",
    "repeating", "repeated", "peat", "report", "retreat", "what's that", "water", "watt", "say", "again",
    "easy", "easily", "easter", "eastern", "teaser", "measure", "busier", "cheesier",
    "hard", "harbour", "hardware", "larder", "martyr", "garden", "harder than I thought",
    "paint", "pane", "paying", "rain", "plain", "spain", "page", "paid", "hurts less", "outside",
    "star", "startle", "stars", "dart", "lets see", "workout", "session", "start", "leg lifts",
    "okay", "yes", "yeah", "no", "right", "good", "nice", "one", "two", "three", "four", "five",
]

# exertion and breath sounds a person makes on the mat
EN_EXERTION = ["hah", "huh", "phew", "ugh", "mm", "oof", "hmm", "whoa", "argh", "hff", "ah", "oh",
               "uh", "um", "er", "pfff", "ha ha"]

# said just before a command sometimes ("okay done")
EN_LEADINS = ["okay", "oh", "uh", "um", "right", "so", "alright", "yeah"]

def _sentences(text: str) -> list[str]:
    return [s.strip() for s in text.strip().splitlines() if s.strip()]


def _doc_sentences(path: Path, limit: int = 400) -> list[str]:
    """Prose sentences of a Markdown file (code blocks, tables and short bits dropped)."""
    if not path.exists():
        return []
    text = re.sub(r"```.*?```", " ", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"`[^`]*`|\[([^\]]*)\]\([^)]*\)|[#*_>|]", lambda m: m.group(1) or " ", text)
    out = []
    for s in re.split(r"(?<=[.!?])\s+|\n\s*\n|\n- ", text):
        s = " ".join(s.split())
        words = s.split()
        if 4 <= len(words) <= 25 and re.fullmatch(r"[A-Za-z0-9 ,.;:'!?()%-]+", s):
            out.append(s)
    return out[:limit]


def talk(language: str, split: str, *, n_random: int = 600, seed: int = 0) -> list[str]:
    """Non-command sentences: hand-written, product docs (English), and random-word sentences."""
    rng = random.Random(seed + (0 if split == "train" else 7919))
    if language == "en":
        base = _sentences(EN_TALK_TRAIN if split == "train" else EN_TALK_EVAL)
        # prose from the README and docs/session-flow.md as they were when the models were trained: a
        # snapshot, so that editing the documentation does not change what training makes
        docs = (Path(__file__).parent / "talk_en_docs.txt").read_text(encoding="utf-8").splitlines()
        rng2 = random.Random(5)
        rng2.shuffle(docs)
        half = len(docs) // 2
        base += docs[:half] if split == "train" else docs[half:]
        try:
            from faker import Faker
        except ImportError:
            Faker = None
        if Faker is not None and n_random:
            fk = Faker("en_US")
            fk.seed_instance(seed + (0 if split == "train" else 104729))
            base += [fk.sentence(nb_words=rng.randint(3, 12)) for _ in range(n_random)]
        return base
    base = _sentences(KO_TALK_TRAIN if split == "train" else KO_TALK_EVAL)
    try:
        from faker import Faker
    except ImportError:
        Faker = None
    if Faker is not None and n_random:
        fk = Faker("ko_KR")
        fk.seed_instance(seed + (0 if split == "train" else 104729))
        makers = [fk.address, fk.name, fk.company, fk.job, lambda: fk.name() + " 씨가 " + fk.city() + "에 살아요"]
        base += [rng.choice(makers)() for _ in range(n_random // 2)]
    return base


def foreign_talk(split: str, n: int = 200, seed: int = 0) -> list[tuple[str, str]]:
    """(voice, text) pairs of other languages (a TV or radio in the room)."""
    out = []
    try:
        from faker import Faker
    except ImportError:
        return out
    rng = random.Random(seed + (0 if split == "train" else 1))
    for locale, voice in (("de_DE", "de"), ("fr_FR", "fr-fr"), ("es_ES", "es"), ("it_IT", "it"),
                          ("nl_NL", "nl"), ("pl_PL", "pl")):
        fk = Faker(locale)
        fk.seed_instance(seed + (0 if split == "train" else 17))
        for _ in range(n // 6):
            out.append((voice, rng.choice([fk.address, fk.name, fk.company])().replace("\n", ", ")))
    return out


def near_misses(language: str) -> list[str]:
    return list(EN_NEAR_MISSES if language == "en" else KO_NEAR_MISSES)


def exertion(language: str) -> list[str]:
    return list(EN_EXERTION if language == "en" else KO_EXERTION)


def leadins(language: str) -> list[str]:
    return list(EN_LEADINS if language == "en" else KO_LEADINS)
