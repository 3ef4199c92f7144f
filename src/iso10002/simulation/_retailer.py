"""
The simulated organization of the ``demo``: a retailer that sells appliances and electronics,
runs a home broadband service and offers a credit account.

Its staff, the channels complaints arrive by and how often, the kinds of complaint with their
wording and how they tend to end, and the names and places complainants are drawn from. Data
only; :mod:`iso10002.simulation._handling` runs the simulation.
"""

from __future__ import annotations

import attrs

from iso10002 import (
    Actor,
    Channel,
    ContactMethod,
    Outcome,
    RemedyKind,
    Role,
    RootCause,
    Severity,
)

OMBUDSMAN = "Financial Ombudsman Service"
"""Where complainants who stay dissatisfied can go (the external body, ISO 10003)."""

INTAKE = Actor(id="web-intake", role=Role.SYSTEM, name="Web form intake")
SURVEY = Actor(id="survey", role=Role.SYSTEM, name="Satisfaction survey")
FRONT_LINE = (
    Actor(id="fl-01", role=Role.FRONT_LINE, name="Priya Shah"),
    Actor(id="fl-02", role=Role.FRONT_LINE, name="Tom Okafor"),
    Actor(id="fl-03", role=Role.FRONT_LINE, name="Megan Lewis"),
    Actor(id="fl-04", role=Role.FRONT_LINE, name="Daniel Novak"),
    Actor(id="fl-05", role=Role.FRONT_LINE, name="Grace Kim"),
)
INVESTIGATORS = (
    Actor(id="inv-01", role=Role.INVESTIGATOR, name="Aisha Rahman"),
    Actor(id="inv-02", role=Role.INVESTIGATOR, name="Ben Carter"),
    Actor(id="inv-03", role=Role.INVESTIGATOR, name="Chloe Evans"),
    Actor(id="inv-04", role=Role.INVESTIGATOR, name="Dev Patel"),
)
MANAGERS = (
    Actor(id="cm-01", role=Role.COMPLAINTS_MANAGER, name="Sarah Mitchell"),
    Actor(id="cm-02", role=Role.COMPLAINTS_MANAGER, name="James Wright"),
)
HEAD_OF_COMPLAINTS = Actor(id="cm-00", role=Role.COMPLAINTS_MANAGER, name="Helen Clarke")
"""Takes the internal reviews, so a review is never done by whoever made the first decision."""

STORES = ("Leeds Briggate", "Manchester Arndale", "Bristol Cabot Circus", "Cardiff Queen Street")
STORE_STAFF = tuple(f"st-{n}" for n in range(101, 121))

CHANNEL_WEIGHTS: dict[Channel, int] = {
    Channel.EMAIL: 30,
    Channel.WEB_FORM: 24,
    Channel.PHONE: 20,
    Channel.LETTER: 7,
    Channel.CHAT: 8,
    Channel.SOCIAL_MEDIA: 5,
    Channel.IN_PERSON: 4,
    Channel.REFERRAL: 2,
}
# Messages can arrive at any hour; everything else needs somebody at work to take it.
ANY_HOUR = frozenset({Channel.EMAIL, Channel.WEB_FORM, Channel.SOCIAL_MEDIA})

FIRST_NAMES = (
    "Olivia", "Amelia", "Noah", "Oliver", "Isla", "George", "Ava", "Muhammad", "Freya", "Arthur",
    "Sophia", "Leo", "Mia", "Harry", "Zara", "Jack", "Evie", "Ravi", "Niamh", "Callum", "Siobhan",
    "Kwame", "Ewa", "Tomasz", "Fatima", "Rhys", "Ines", "Yusuf", "Hannah", "Owen",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Khan", "Murphy", "Campbell", "Kowalski", "Mensah", "Hughes", "Ahmed", "MacLeod",
)  # fmt: skip
STREETS = (
    "High Street",
    "Station Road",
    "Church Lane",
    "Park Avenue",
    "Victoria Road",
    "Mill Lane",
)
TOWNS = (
    ("Leeds", "LS6"), ("York", "YO10"), ("Bristol", "BS7"), ("Cardiff", "CF24"),
    ("Manchester", "M14"), ("Sheffield", "S11"), ("Glasgow", "G12"), ("Norwich", "NR2"),
)  # fmt: skip
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
REPRESENTATIVES = (
    ("Citizens Advice", "adviser"),
    ("Office of the local MP", "caseworker"),
    ("StepChange Debt Charity", "adviser"),
)


@attrs.frozen(kw_only=True)
class Category:
    """A kind of complaint: how it is worded, what it is about, how it tends to end."""

    path: tuple[str, ...]
    weight: int
    products: tuple[str, ...]
    descriptions: tuple[str, ...]
    """Templates; ``{product}``, ``{amount}``, ``{days}`` and ``{place}`` are filled in."""
    remedy_requested: tuple[str, ...]
    outcomes: tuple[int, int, int]
    """Weights of upheld, partially upheld and not upheld."""
    redress: tuple[tuple[RemedyKind, str, int, int], ...]
    """Remedies given when upheld: kind, description, and a GBP range (0, 0 for no amount)."""
    upheld_reason: str
    not_upheld_reason: str
    root_cause: RootCause
    safety_share: float = 0.0
    safety_descriptions: tuple[str, ...] = ()
    about_staff: bool = False
    complexity: tuple[int, int, int] = (55, 35, 10)
    """Weights of simple, moderate and complex."""


CATEGORIES = (
    Category(
        path=("Billing", "Wrong amount"),
        weight=20,
        products=("Credit account", "Home broadband"),
        descriptions=(
            "I have been charged GBP {amount} twice on my {product} statement this month.",
            "My {product} bill went up by GBP {amount} without any notice.",
            "A late payment fee was added to my {product} although I paid on time.",
        ),
        remedy_requested=("Refund the overcharge", "Remove the fee and correct my statement"),
        outcomes=(45, 20, 35),
        redress=((RemedyKind.REFUND, "Refund of the amount overcharged", 5, 180),),
        upheld_reason="Our records confirm the payment was taken twice.",
        not_upheld_reason="The amount billed matches the agreed tariff and the notice we sent.",
        root_cause=RootCause(
            cause="Payment batch re-run after a timeout",
            category="System",
            corrective_action="Duplicate payments in the batch refunded",
            preventive_action="Batch job made idempotent",
        ),
    ),
    Category(
        path=("Billing", "Charged after cancellation"),
        weight=8,
        products=("Home broadband", "Credit account"),
        descriptions=(
            "I cancelled my {product} {days} days ago but you have taken another payment.",
            "My {product} was closed last month and I am still being billed.",
        ),
        remedy_requested=("Refund the payment and confirm the account is closed",),
        outcomes=(55, 15, 30),
        redress=((RemedyKind.REFUND, "Refund of payments taken after cancellation", 15, 60),),
        upheld_reason="The cancellation was recorded but not passed on to billing.",
        not_upheld_reason="The payment covered the notice period set out in the contract.",
        root_cause=RootCause(
            cause="Cancellation not passed from the contact centre system to billing",
            category="Process",
            corrective_action="Account closed and payments refunded",
            preventive_action="Daily reconciliation of cancellations and billing",
        ),
    ),
    Category(
        path=("Service", "Outage"),
        weight=14,
        products=("Home broadband",),
        descriptions=(
            "My broadband has been down for {days} days and the engineer did not turn up.",
            "The connection drops every evening; I work from home and cannot rely on it.",
            "There was a {days}-day outage in my area and nobody told me when it would be fixed.",
        ),
        remedy_requested=("Compensation for the days without service", "Fix the line"),
        outcomes=(40, 25, 35),
        redress=((RemedyKind.COMPENSATION, "Service credit for the days without service", 5, 60),),
        upheld_reason="The outage lasted longer than our service commitment allows.",
        not_upheld_reason="The fault was in the customer's own wiring, outside our network.",
        root_cause=RootCause(
            cause="Faulty cabinet card not replaced within the repair target",
            category="Supplier",
            corrective_action="Cabinet card replaced",
            preventive_action="Spare cards stocked at the regional depot",
        ),
    ),
    Category(
        path=("Delivery", "Late"),
        weight=14,
        products=("Washing machine", "Fridge freezer", "Television", "Laptop"),
        descriptions=(
            "My {product} was due {days} days ago and has still not arrived.",
            "The delivery slot for my {product} was missed twice and I took days off work.",
        ),
        remedy_requested=("Refund the delivery charge", "Deliver it this week"),
        outcomes=(45, 20, 35),
        redress=(
            (RemedyKind.REFUND, "Refund of the delivery charge", 5, 15),
            (RemedyKind.COMPENSATION, "Payment for the time taken off work", 10, 40),
        ),
        upheld_reason="The courier missed the booked slot without telling the customer.",
        not_upheld_reason="The delivery was rearranged at the customer's own request.",
        root_cause=RootCause(
            cause="Courier over-booked routes in the region",
            category="Supplier",
            corrective_action="Delivery rebooked with a named slot",
            preventive_action="Route capacity checked before slots are offered",
        ),
    ),
    Category(
        path=("Delivery", "Damaged"),
        weight=6,
        products=("Washing machine", "Fridge freezer", "Television"),
        descriptions=("The {product} arrived with a dented door and a cracked panel.",),
        remedy_requested=("Replace the {product}",),
        outcomes=(55, 15, 30),
        redress=((RemedyKind.REPAIR_OR_REPLACEMENT, "Replacement delivered and fitted", 0, 0),),
        upheld_reason="The delivery photos show the damage happened in transit.",
        not_upheld_reason="The delivery was signed for as undamaged and the photos confirm it.",
        root_cause=RootCause(
            cause="Item loaded without corner protection",
            category="Supplier",
            corrective_action="Replacement sent",
            preventive_action="Loading checklist updated",
        ),
    ),
    Category(
        path=("Staff conduct",),
        weight=8,
        products=("Store visit", "Customer service line"),
        descriptions=(
            "The adviser I dealt with at {place} was rude and refused to help.",
            "A member of staff at {place} hung up on me twice.",
        ),
        remedy_requested=("An apology", "Training for the member of staff"),
        outcomes=(20, 20, 60),
        redress=((RemedyKind.COMPENSATION, "Goodwill payment", 20, 75),),
        upheld_reason="The call recording shows the adviser fell short of our standards.",
        not_upheld_reason="The recording shows the adviser was polite and followed the process.",
        root_cause=RootCause(
            cause="Adviser not trained on the vulnerable customers process",
            category="People",
            corrective_action="Coaching session with the team leader",
            preventive_action="Training added to the induction programme",
        ),
        about_staff=True,
        complexity=(30, 50, 20),
    ),
    Category(
        path=("Product fault",),
        weight=12,
        products=("Laptop", "Television", "Washing machine", "Phone charger"),
        descriptions=(
            "My {product} stopped working after {days} days.",
            "The {product} keeps switching itself off; it has been repaired once already.",
        ),
        remedy_requested=("Repair or replace the {product}", "A full refund"),
        outcomes=(45, 20, 35),
        redress=((RemedyKind.REPAIR_OR_REPLACEMENT, "Repair or replacement under warranty", 0, 0),),
        upheld_reason="The fault is a known manufacturing defect covered by the warranty.",
        not_upheld_reason="The engineer found accidental damage, which the warranty excludes.",
        root_cause=RootCause(
            cause="Defective batch from the manufacturer",
            category="Product",
            corrective_action="Affected customers contacted",
            preventive_action="Batch withdrawn from sale",
        ),
        safety_share=0.3,
        safety_descriptions=(
            "The {product} overheated and gave off smoke while it was in use.",
            "My {product} gave me an electric shock when I touched the casing.",
        ),
        complexity=(40, 40, 20),
    ),
    Category(
        path=("Account", "Data protection"),
        weight=4,
        products=("Credit account",),
        descriptions=("I received letters meant for another customer at my address.",),
        remedy_requested=("Confirm my data has not been shared", "Compensation"),
        outcomes=(35, 20, 45),
        redress=((RemedyKind.COMPENSATION, "Payment for distress and inconvenience", 50, 150),),
        upheld_reason="Two customer records had been merged by mistake.",
        not_upheld_reason="The letters were addressed to a previous occupant, as the post shows.",
        root_cause=RootCause(
            cause="Records merged by the address-matching job",
            category="System",
            corrective_action="Records separated and the customer informed",
            preventive_action="Matching rule now needs a date of birth",
        ),
        complexity=(20, 50, 30),
    ),
)

NOTES = (
    "Called the complainant to go over what happened.",
    "Checked the account history and the order records.",
    "Asked the team involved for their account of events.",
    "Listened to the recordings of the complainant's calls.",
    "Reviewed the documents and photos the complainant sent.",
    "Compared the case with similar complaints this quarter.",
)
WITHDRAWAL_REASONS = (
    "The complainant says it was sorted out in store.",
    "The complainant no longer wishes to pursue the complaint.",
    "Resolved directly with the courier.",
)
REOPEN_REASONS = (
    "The refund has not reached the complainant's account.",
    "The replacement shows the same fault.",
    "The complainant says the promised call back never happened.",
)
SCORE_WEIGHTS: dict[Outcome | None, tuple[int, int, int, int, int]] = {
    Outcome.UPHELD: (2, 3, 10, 35, 50),
    Outcome.PARTIALLY_UPHELD: (5, 10, 30, 35, 20),
    Outcome.NOT_UPHELD: (25, 25, 30, 15, 5),
    None: (30, 30, 25, 10, 5),
}
SEVERITIES = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
OUTCOMES = (Outcome.UPHELD, Outcome.PARTIALLY_UPHELD, Outcome.NOT_UPHELD)
REPLY_CHANNEL = {
    ContactMethod.EMAIL: Channel.EMAIL,
    ContactMethod.PHONE: Channel.PHONE,
    ContactMethod.LETTER: Channel.LETTER,
    ContactMethod.SMS: Channel.PHONE,
    ContactMethod.IN_PERSON: Channel.IN_PERSON,
}
