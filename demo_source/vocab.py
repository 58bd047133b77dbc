"""The words the demo platform is made of: countries, names, content, pages, endpoints,
error messages, review texts. Fixed tuples, so that codes into them are stable; the
enumerations are the source contract's (tables.enum_values), in its order."""

from __future__ import annotations

import numpy as np

from analytics_assets.source.tables import enum_values

# --- places -----------------------------------------------------------------------------

# code, share of users, currency, ((city, region), ...)
_COUNTRIES = (
    (
        "US",
        0.26,
        "USD",
        (("New York", "NY"), ("San Francisco", "CA"), ("Austin", "TX"), ("Chicago", "IL")),
    ),
    (
        "GB",
        0.12,
        "GBP",
        (("London", "England"), ("Manchester", "England"), ("Edinburgh", "Scotland")),
    ),
    ("DE", 0.09, "EUR", (("Berlin", "Berlin"), ("Munich", "Bavaria"), ("Hamburg", "Hamburg"))),
    (
        "IN",
        0.09,
        "USD",
        (("Bengaluru", "Karnataka"), ("Mumbai", "Maharashtra"), ("Delhi", "Delhi")),
    ),
    ("FR", 0.06, "EUR", (("Paris", "Ile-de-France"), ("Lyon", "Auvergne-Rhone-Alpes"))),
    ("BR", 0.05, "USD", (("Sao Paulo", "SP"), ("Rio de Janeiro", "RJ"))),
    ("CA", 0.05, "USD", (("Toronto", "ON"), ("Vancouver", "BC"), ("Montreal", "QC"))),
    ("ES", 0.04, "EUR", (("Madrid", "Madrid"), ("Barcelona", "Catalonia"))),
    ("NL", 0.04, "EUR", (("Amsterdam", "North Holland"), ("Rotterdam", "South Holland"))),
    ("IE", 0.03, "EUR", (("Dublin", "Leinster"), ("Cork", "Munster"))),
    ("AU", 0.03, "USD", (("Sydney", "NSW"), ("Melbourne", "VIC"))),
    ("NG", 0.03, "USD", (("Lagos", "Lagos"), ("Abuja", "FCT"))),
    ("PL", 0.03, "EUR", (("Warsaw", "Masovia"), ("Krakow", "Lesser Poland"))),
    ("AT", 0.02, "EUR", (("Vienna", "Vienna"), ("Graz", "Styria"))),
    ("CH", 0.02, "EUR", (("Zurich", "Zurich"), ("Geneva", "Geneva"))),
    ("JP", 0.02, "USD", (("Tokyo", "Tokyo"), ("Osaka", "Osaka"))),
    ("MX", 0.02, "USD", (("Mexico City", "CDMX"), ("Guadalajara", "Jalisco"))),
)
COUNTRY_CODES = np.array([c[0] for c in _COUNTRIES], dtype=object)
COUNTRY_P = np.array([c[1] for c in _COUNTRIES]) / sum(c[1] for c in _COUNTRIES)
CURRENCIES = np.array(["USD", "EUR", "GBP"], dtype=object)
COUNTRY_CURRENCY = np.array([list(CURRENCIES).index(c[2]) for c in _COUNTRIES])
CITIES = np.array([city for c in _COUNTRIES for city, _ in c[3]], dtype=object)
CITY_REGIONS = np.array([region for c in _COUNTRIES for _, region in c[3]], dtype=object)
CITY_FIRST = np.cumsum([0] + [len(c[3]) for c in _COUNTRIES])[:-1]
"""Index in CITIES of each country's first city."""
CITY_COUNT = np.array([len(c[3]) for c in _COUNTRIES])


def country_index(code: str) -> int:
    return list(COUNTRY_CODES).index(code)


def pick_city(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    """A city of each (valid, >= 0) country code."""
    safe = np.maximum(country, 0)
    return CITY_FIRST[safe] + (rng.random(len(country)) * CITY_COUNT[safe]).astype(np.int64)


BAD_COUNTRY_CODES = ("U1", "us", "X ")
"""Country codes a sloppy client sends: a digit, lower case ('usa' cut to 2), a space."""

# --- people -----------------------------------------------------------------------------


def _words(text: str) -> np.ndarray:
    return np.array(text.split(), dtype=object)


FIRST_NAMES = _words(
    "Ada Alan Amara Ana Aarav Bea Carlos Chen Chloe Dario Diego Elena Emma Farah Felix "
    "Grace Hana Hugo Ibrahim Ines Ivan Jade Jonas Kai Kofi Lara Leo Lina Luca Maya Mei "
    "Mohammed Nia Noah Olga Omar Priya Quinn Rafael Sara Sofia Tariq Tom Uma Victor Wei "
    "Yara Zoe"
)
LAST_NAMES = _words(
    "Adeyemi Bauer Becker Chen Costa Dubois Evans Fernandez Fischer Garcia Gupta Hansen "
    "Ito Jensen Kim Kowalski Kumar Lopez Martin Meyer Moreau Murphy Nakamura Nguyen Novak "
    "Okafor Olsen Patel Rossi Santos Schmidt Silva Singh Smith Tanaka Taylor Weber Wilson "
    "Yilmaz Zhang"
)
EMAIL_DOMAINS = np.array(
    ["gmail.com", "outlook.com", "yahoo.com", "proton.me", "example.org", "icloud.com"],
    dtype=object,
)
ROLES = enum_values("users", "role")
DEVICES = enum_values("app_sessions", "device_type")
DEVICE_P = np.array([0.55, 0.25, 0.20])

# --- learning content ----------------------------------------------------------------------

SKILL_AREAS = (
    "SQL",
    "Python",
    "Statistics",
    "Cloud",
    "Security",
    "Networking",
    "Data Engineering",
    "Leadership",
)
TOPICS = (
    ("Joins and Subqueries", "Window Functions", "Query Tuning"),
    ("Python Basics", "Pandas for Analysts", "Testing with pytest"),
    ("Hypothesis Testing", "Regression", "A/B Test Design"),
    ("AWS Essentials", "Kubernetes", "Serverless Patterns"),
    ("Threat Modeling", "Incident Response", "Web Security"),
    ("TCP/IP", "Routing and Switching", "Network Troubleshooting"),
    ("Data Pipelines", "dbt in Practice", "Streaming with Kafka"),
    ("Running 1:1s", "Feedback that Works", "Leading Remote Teams"),
)
CONTENT_KINDS = enum_values("content", "kind")
KIND_SUFFIXES = (
    ("Fundamentals", "Masterclass", "Bootcamp"),
    ("Practice Lab", "Case Study", "Hands-on Scenario"),
    ("Certification Exam", "Mock Exam", "Assessment"),
)
DIFFICULTIES = enum_values("content", "difficulty")
DIFFICULTY_P = np.array([0.4, 0.4, 0.2])
DIFFICULTY_SCORE = np.array([8.0, 0.0, -10.0])
"""Points a difficulty adds to an expected practice score."""

# --- money ----------------------------------------------------------------------------------

PLANS = enum_values("subscriptions", "plan")
PLAN_PRICES = np.array([[1999, 1799, 1599], [19900, 17900, 15900]])
"""Price in cents per plan period: [plan, currency (USD, EUR, GBP)]."""
COURSE_PRICES = np.array([[1999, 1899, 1599], [4999, 4599, 3999], [9900, 8900, 7900]])
"""Course price tiers in cents: [tier, currency]."""
MENTOR_HOURLY = np.array([3000, 4500, 6000, 9000])
SUBSCRIPTION_STATUSES = enum_values("subscriptions", "status")
PAYMENT_KINDS = enum_values("payments", "kind")
PAYMENT_STATUSES = enum_values("payments", "status")
MENTOR_STATUSES = enum_values("mentor_sessions", "status")
ATTEMPT_STATUSES = enum_values("practice_attempts", "status")

# --- product analytics -------------------------------------------------------------------------

EVENT_TYPES = enum_values("events", "event_type")
PAGES = (
    ("/", "view_home"),
    ("/dashboard", "view_dashboard"),
    ("/courses", "view_course_list"),
    ("/practice", "view_practice"),
    ("/exams", "view_exams"),
    ("/pricing", "view_pricing"),
    ("/mentors", "view_mentors"),
    ("/community", "view_community"),
    ("/settings", "view_settings"),
    ("/help", "view_help"),
)
PAGE_P = np.array([0.14, 0.22, 0.14, 0.14, 0.08, 0.06, 0.06, 0.09, 0.03, 0.04])
CLICKS = (
    "click_cta",
    "click_nav",
    "click_filter",
    "click_card",
    "play_video",
    "bookmark",
    "share_link",
)
REFERRERS = ("direct", "google", "newsletter", "partner", "social")
SEARCH_QUERIES = (
    "sql joins",
    "python",
    "window functions",
    "kubernetes",
    "aws exam",
    "statistics",
    "regression",
    "security",
    "mentor",
    "dbt",
    "kafka",
    "pandas",
    "pytest",
    "networking",
    "leadership",
    "mock exam",
    "certification",
    "career change",
    "interview prep",
    "free course",
)
LOGIN_METHODS = ("password", "google", "sso", "magic_link")
SIGNUP_SOURCES = ("organic", "ads", "referral", "partner")

# --- operations --------------------------------------------------------------------------------

ENDPOINTS = (  # method, path, share, median ms
    ("GET", "/api/v1/me", 0.16, 25.0),
    ("GET", "/api/v1/courses", 0.12, 60.0),
    ("GET", "/api/v1/courses/:id", 0.14, 45.0),
    ("POST", "/api/v1/events", 0.20, 12.0),
    ("GET", "/api/v1/search", 0.07, 140.0),
    ("POST", "/api/v1/attempts", 0.05, 80.0),
    ("PUT", "/api/v1/attempts/:id", 0.08, 70.0),
    ("GET", "/api/v1/communities", 0.06, 55.0),
    ("POST", "/api/v1/payments", 0.02, 320.0),
    ("GET", "/api/v1/mentors", 0.05, 65.0),
    ("DELETE", "/api/v1/bookmarks/:id", 0.02, 30.0),
    ("PATCH", "/api/v1/me", 0.03, 40.0),
)
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CLIENT_ERRORS = np.array([400, 401, 403, 404, 409, 422, 429])
SERVER_ERRORS = np.array([500, 502, 503, 504])
ERROR_LEVELS = enum_values("error_logs", "level")

SERVER_ERROR_MESSAGES = (
    (
        "psycopg.OperationalError: connection to the database timed out",
        'Traceback (most recent call last):\n  File "api/db.py", line 88, in query\n'
        "    return conn.execute(sql, params)\npsycopg.OperationalError: connection timed out",
    ),
    (
        "KeyError: 'currency'",
        'Traceback (most recent call last):\n  File "api/payments.py", line 214, in charge\n'
        "    amount = PRICES[plan][body['currency']]\nKeyError: 'currency'",
    ),
    (
        "upstream payment provider returned 502",
        "PaymentGatewayError: 502 Bad Gateway\n\tat charge (gateway/client.js:77:13)\n"
        "\tat async handler (routes/payments.js:31:5)",
    ),
    (
        "TimeoutError: search index did not answer within 2s",
        'Traceback (most recent call last):\n  File "api/search.py", line 51, in search\n'
        "    hits = index.query(q, timeout=2)\nTimeoutError: search index did not answer",
    ),
    (
        "FileNotFoundError: C:\\exports\\report.csv",
        'Traceback (most recent call last):\n  File "C:\\app\\exports.py", line 12, in dump\n'
        "    open(path)\nFileNotFoundError: [Errno 2] No such file: 'C:\\exports\\report.csv'",
    ),
)
CLIENT_WARNINGS = (
    "rate limit exceeded for client",
    "request validation failed: missing field 'content_id'",
    "stale session token refused",
)
CRITICAL_MESSAGES = (
    ("disk usage above 95% on db-primary", None),
    ("worker pool exhausted: 0 of 32 workers free", None),
)
FRONTEND_ERRORS = (
    (
        "TypeError: Cannot read properties of undefined (reading 'score')",
        "TypeError: Cannot read properties of undefined (reading 'score')\n"
        "    at ResultCard (ResultCard.tsx:42:17)\n    at renderWithHooks (react-dom.js:1:1)",
    ),
    (
        "ChunkLoadError: Loading chunk 412 failed",
        "ChunkLoadError: Loading chunk 412 failed.\n    at __webpack_require__.f.j (main.js:1:9)",
    ),
)
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari",
    "LearnApp/4.12.0 (iPhone; iOS 17.5; Scale/3.00)",
    "LearnApp/4.12.1 (Android 14; Pixel 8)",
)
DEVICE_AGENTS = ((0, 1), (2,), (3,))
"""User agents each device type sends (indexes into USER_AGENTS)."""

# --- opinions and communities ------------------------------------------------------------------

REVIEW_BODIES = (
    ("Did not work for me.", "Too shallow, and the audio was bad."),
    ("Some good parts, mostly outdated.", "The exercises did not match the videos."),
    ("Fine, does the job.", "Average: ok explanations, few exercises."),
    ("Very good, clear and practical.", "Helped me pass my exam.\nWould recommend."),
    ("Excellent! Best one I took.", "Outstanding mentor, explained everything twice."),
)
NPS_COMMENTS = (
    (
        "Too expensive for what it offers.",
        "The app keeps logging me out.",
        "Not enough advanced content.",
    ),
    ("Good, but the search is slow.", "Decent. More exams please."),
    ("Love the practice scenarios!", "My mentor was fantastic.", "Passed my certification!"),
)
COMMUNITY_NAMES = (
    "SQL Learners",
    "Python Study Group",
    "Data Careers UK",
    "Cloud Builders DACH",
    "Security Circle",
    "Analytics Engineers",
    "Interview Prep",
    "Women in Data",
    "Exam Crunch US & Canada",
    "Leadership Lounge",
    "Networking Nerds",
    "India Data Guild",
    "Brasil Dados",
    "Stats Corner",
)
COMMUNITY_REGIONS = {  # community index -> allowed countries (geo-restricted communities)
    2: ("GB", "IE"),
    3: ("DE", "AT", "CH"),
    8: ("US", "CA"),
    11: ("IN",),
    12: ("BR", "PT"),
}
ACTIVITY_TYPES = enum_values("community_activity", "activity_type")
GEO_RESULTS = enum_values("geo_access_attempts", "result")
