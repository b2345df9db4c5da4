"""An invented portfolio, for the sample in ``docs/``, the renderers' tests and the export
benchmark. Every person, place and reflection in it is made up."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.portfolio.document import (
    Coverage,
    Goal,
    Hours,
    LearningActivity,
    Period,
    Portfolio,
    PortfolioReflection,
    QuestionAnswer,
    Verification,
)
from framework import Framework, load_framework
from prompts import load_question_sets

ZONE = ZoneInfo("Europe/London")
# Each guided set's questions as the bot asks them today; a note has no question.
QUESTIONS = {
    question_set.name: tuple(q.text for q in question_set.questions)
    for question_set in load_question_sets().values()
    if question_set.kind != "note"
}

# (days before the end, set, answers, confirmed indicators, session)
_REFLECTIONS: list[tuple[int, str, tuple[str, ...], tuple[str, ...], str | None]] = [
    (
        80,
        "What? So what? Now what?",
        (
            "Tuesday youth club, 14 young people. Two of the older girls asked to plan the "
            "summer trip themselves, so I stepped back and let them run the planning "
            "session with a flipchart.",
            "They negotiated the budget between them and listened to the quieter ones far "
            "better than when I lead. It showed me how much I still hold on to the pen.",
            "Next week I will hand over the agenda too, and ask them what support they want "
            "from me rather than assuming.",
        ),
        ("2.3", "3.4"),
        "Tuesday youth club",
    ),
    (
        66,
        "Quick note",
        (
            "ESOL Entry 2 class: role-play at the GP reception. R. practised asking for an "
            "interpreter and said afterwards she would do it for real on Thursday. Small "
            "step, big deal for her. 👏",
        ),
        ("3.6",),
        "ESOL Entry 2",
    ),
    (
        58,
        "Gibbs' reflective cycle",
        (
            "A disagreement between two volunteers about who holds the keys to the hall "
            "turned into raised voices in front of parents.",
            "I felt caught in the middle and a bit embarrassed; I also felt I had let it "
            "build up by not sorting out the rota earlier.",
            "Going well: I kept calm and moved the conversation to the office. Not so "
            "well: I took sides too quickly at first.",
            "Both of them care about the group; the conflict was about being trusted. "
            "Clear roles would have prevented most of it.",
            "I learned that I avoid small conflicts until they are big ones.",
            "Write a simple rota with both of them this week, and check in with each "
            "separately first.",
        ),
        ("2.6", "5.5"),
        None,
    ),
    (
        45,
        "Professional learning",
        (
            "Trauma-informed practice, a one-day course run by the council's CLD team.",
            "How stress shows up as 'behaviour', and that predictability and choice help "
            "people feel safe.",
            "I will start each club night with the plan on the wall and give young people "
            "two choices rather than orders.",
        ),
        ("4.2", "7.1"),
        None,
    ),
    (
        38,
        "What? So what? Now what?",
        (
            "Community council meeting about the closure of the library branch. I "
            "supported three residents to speak; one read out a statement in Polish and "
            "English: „Biblioteka to nasze serce” — the library is our heart.",
            "Residents were listened to because they had prepared together. It is the "
            "first time the Polish families have spoken at the council.",
            "Follow up with the residents' group about a petition, and ask the council "
            "for the consultation dates in writing.",
        ),
        ("1.2", "5.2", "6.3"),
        None,
    ),
    (
        30,
        "Quick note",
        (
            "Reading: 'Pedagogy of the Oppressed', chapter 2, on the banking concept of "
            "education. Made me rethink how much of my ESOL teaching is me talking.",
        ),
        ("3.1",),
        None,
    ),
    (
        21,
        "What? So what? Now what?",
        (
            "Evaluation session with the parents' group using a body map: what they "
            "gained (head), felt (heart), will do (feet). Learners wrote in Arabic, "
            "Ukrainian and English: مرحبا، دياكую, thank you.",
            "The visual method let everyone take part whatever their English. The group "
            "asked for the results to be shared with the funder in their own words.",
            "Type up the body map with the group next week and send it to the funder with "
            "their quotes.",
        ),
        ("4.5", "4.6", "7.2"),
        "Parents' group",
    ),
    (
        12,
        "Quick note",
        (
            "Shadowed a senior youth worker on detached work in the town centre for three "
            "hours. Noticed how she opened conversations with questions about the young "
            "people's plans, never about what they were doing.",
        ),
        ("2.1", "2.2"),
        None,
    ),
    (
        5,
        "Weekly question",
        (
            "Partnership meeting with the school and the health visitor went better than "
            "last time: we agreed one shared referral form instead of three.",
        ),
        ("6.1", "6.4"),
        None,
    ),
    (
        2,
        "Quick note",
        ("Mileage and room bookings sorted for next term. Nothing else to note.",),
        (),
        None,
    ),
]


def sample_portfolio(
    framework: Framework | None = None, *, end: date = date(2026, 11, 27), copies: int = 1
) -> Portfolio:
    """The invented portfolio; ``copies`` repeats its reflections (spread over the period)
    to make a big one for the benchmark."""
    framework = framework or load_framework()
    goals = (
        Goal(
            1,
            "Get better at handing over control of sessions to the young people.",
            (2, 3),
            end - timedelta(days=90),
            review="Going well at youth club; harder with the younger group.",
            reviewed_on=end - timedelta(days=20),
        ),
        Goal(
            2,
            "Understand trauma-informed practice and use it in club nights.",
            (4,),
            end - timedelta(days=120),
            closed_on=end - timedelta(days=40),
            outcome="achieved",
            review="Did the course; the plan-on-the-wall start is now routine.",
            reviewed_on=end - timedelta(days=40),
        ),
    )
    reflections: list[PortfolioReflection] = []
    span = 85 * copies
    number = itertools.count(1)
    for copy in range(copies):
        for days_before, set_name, answers, confirmed, session in _REFLECTIONS:
            reflection_id = next(number)
            day = end - timedelta(days=(days_before + 85 * copy) % span)
            written = datetime.combine(day, time(20, 15), ZONE)
            questions = QUESTIONS.get(set_name, ("",) * len(answers))
            learning = None
            goal_id = None
            if set_name == "Professional learning":
                learning = LearningActivity(
                    reflection_id, day, "course", 6.5, answers[0], " ".join(answers[1:]), 2
                )
                goal_id = 2
            elif answers[0].startswith("Reading"):
                learning = LearningActivity(reflection_id, day, "reading", 1.5, answers[0], "")
            elif answers[0].startswith("Shadowed"):
                learning = LearningActivity(reflection_id, day, "shadowing", 3, answers[0], "", 1)
                goal_id = 1
            reflections.append(
                PortfolioReflection(
                    id=reflection_id,
                    written_at=written,
                    set_name=set_name,
                    kind="note" if set_name == "Quick note" else "guided",
                    items=tuple(
                        QuestionAnswer(q, a) for q, a in zip(questions, answers, strict=False)
                    ),
                    confirmed=tuple(i for i in framework.indicator_ids if i in confirmed),
                    session=session,
                    session_date=day if session else None,
                    learning=learning,
                    goal_id=goal_id,
                )
            )
    reflections.sort(key=lambda r: (r.written_at, r.id))
    period = Period(end - timedelta(days=span), end, "Last 3 months" if copies == 1 else "All")
    in_period = sum(r.learning.hours for r in reflections if r.learning)
    hours = Hours(
        weekly_hours=35,
        cycle_start=date(2025, 4, 1),
        year_start=date(2026, 4, 1),
        year_end=date(2027, 3, 31),
        cycle_end=date(2028, 3, 31),
        this_year=in_period,
        this_cycle=in_period + 31.5,
        in_period=in_period,
    )
    return Portfolio(
        practitioner="Morven Campbell",
        timezone="Europe/London",
        made_at=datetime.combine(end, time(21, 5), ZONE),
        period=period,
        framework=framework,
        reflections=tuple(reflections),
        coverage=Coverage.of(framework, reflections),
        hours=hours,
        goals=goals,
        verifications=(
            Verification(
                end - timedelta(days=14),
                "Alison Reid",
                "Discussed the trauma-informed practice course and the youth club "
                "planning reflections; agreed next goal on evaluation methods.",
                True,
            ),
        ),
    )
