"""The demo company: determinism, shape, integrity, and every planted story, measured."""

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from klarsyn.demo import (
    CHEATING_CAMPAIGN,
    CHEATING_MONTH,
    DRIVER_EFFECTS,
    LATE_FROM,
    LATE_PARTNER,
    LATE_REGION,
    LOUD_CUSTOMERS,
    LOUD_MESSAGES,
    LOUD_THEME,
    PLANTED_DRIVERS,
    RETURNS_POLICY_COUNTRY,
    RETURNS_POLICY_FROM,
    STORIES,
    THEMES,
    DemoCompany,
    generate,
    plant,
)
from klarsyn.errors import InputError

ISO_WITH_OFFSET = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"
WRITTEN_CONTACTS = ["ticket", "email", "chat"]


def nps() -> pl.Expr:
    """Net Promoter Score of the ``nps`` column, in points."""
    return 100 * ((pl.col("nps") >= 9).mean() - (pl.col("nps") <= 6).mean())


def with_truth(company: DemoCompany) -> pl.DataFrame:
    """Feedback beside its truth, with the local month and day of each item."""
    return company.feedback.join(
        company.truth.rename({"language": "true_language"}), on="id"
    ).with_columns(
        month=pl.col("received_at").str.slice(0, 7),
        day=pl.col("received_at").str.slice(0, 10),
        exposed=pl.col("campaign").eq_missing(CHEATING_CAMPAIGN),
    )


def mentions(theme: str, polarity: str = "negative") -> pl.Expr:
    return pl.col("theme_sentiments").str.contains(f"{theme}:{polarity}").fill_null(False)


def local_time(column: str) -> pl.Expr:
    """The wall-clock time of an ISO timestamp, which is what customers and stories go by."""
    return pl.col(column).str.slice(0, 19).str.to_datetime("%Y-%m-%dT%H:%M:%S")


# Determinism and arguments


def test_same_seed_gives_identical_frames(small_company: DemoCompany) -> None:
    again = generate(seed=7, feedback=12_000)
    for name in ("feedback", "customers", "events", "campaigns", "truth"):
        assert getattr(again, name).equals(getattr(small_company, name)), name


def test_other_seed_gives_other_data(small_company: DemoCompany) -> None:
    other = generate(seed=8, feedback=12_000)
    assert not other.feedback.equals(small_company.feedback)
    assert not other.customers.equals(small_company.customers)
    assert other.stories == small_company.stories


def test_too_short_or_too_small_is_refused() -> None:
    with pytest.raises(InputError, match="months=6"):
        generate(months=6)
    with pytest.raises(InputError, match="feedback=500"):
        generate(feedback=500)


def test_stories_move_with_the_start() -> None:
    later = plant(dt.date(2026, 1, 1))
    assert later.cheating_month == "2026-09"
    assert later.cheating_campaign == "Höstrea Max"
    assert later.returns_policy_from == dt.date(2026, 6, 1)
    assert later.late_from.weekday() == 0
    assert STORIES.cheating_month == CHEATING_MONTH == "2026-06"
    assert CHEATING_CAMPAIGN == "Sommarrea Max"


# Shape of the default company


def test_default_size_mix(demo_company: DemoCompany) -> None:
    frame = with_truth(demo_company)
    assert frame.height >= 50_000
    assert frame["month"].n_unique() >= 12
    channels = dict(frame["channel"].value_counts(normalize=True).iter_rows())
    assert set(channels) == {"survey", "review", "ticket", "email", "chat"}
    assert channels["survey"] > 0.4
    assert all(share > 0.08 for share in channels.values())
    written = frame.filter(pl.col("text").is_not_null())
    languages = dict(written["true_language"].value_counts(normalize=True).iter_rows())
    expected = {"sv": 0.45, "da": 0.20, "nb": 0.20, "en": 0.10, "fi": 0.05}
    for language, share in expected.items():
        assert languages[language] == pytest.approx(share, abs=0.03), language
    assert 0.4 <= frame["language"].is_null().mean() <= 0.6  # type: ignore[operator]
    stated = written.filter(pl.col("language").is_not_null())
    assert (stated["language"] == stated["true_language"]).all()
    assert set(frame["country"].unique()) == {"SE", "DK", "NO"}


def test_feedback_columns_are_the_import_format(small_company: DemoCompany) -> None:
    assert small_company.feedback.columns == [
        "id", "received_at", "channel", "customer_id", "nps", "csat", "ces", "rating", "text",
        "language", "country", "region", "store", "sales_channel", "product_category",
        "touchpoint", "journey_stage", "delivery_partner", "campaign",
    ]  # fmt: skip
    assert small_company.customers.columns[0] == "customer_id"
    assert {"segment", "region", "annual_value", "signup_date", "churned_at"} <= set(
        small_company.customers.columns
    )
    assert small_company.events.columns[:4] == ["id", "customer_id", "occurred_at", "type"]
    assert small_company.truth.columns[:4] == ["id", "themes", "theme_sentiments", "sentiment"]


def test_ids_are_unique_and_customers_exist(small_company: DemoCompany) -> None:
    company = small_company
    assert company.feedback["id"].is_unique().all()
    assert company.events["id"].is_unique().all()
    assert company.customers["customer_id"].is_unique().all()
    assert company.truth["id"].equals(company.feedback["id"])
    known = company.customers["customer_id"].implode()
    assert company.feedback["customer_id"].is_in(known).all()
    assert company.events["customer_id"].is_in(known).all()
    assert set(company.events["type"].unique()) == {"order", "delivery", "contact", "campaign"}


def test_timestamps_are_local_with_offset(small_company: DemoCompany) -> None:
    received = small_company.feedback["received_at"]
    assert received.str.contains(ISO_WITH_OFFSET).all()
    assert small_company.events["occurred_at"].str.contains(ISO_WITH_OFFSET).all()
    assert set(received.str.slice(19).unique()) == {"+01:00", "+02:00"}
    assert received.min() >= "2025-10-01"  # type: ignore[operator]
    assert received.max() < "2026-12-01"  # type: ignore[operator]


def test_scores_are_in_range_and_fit_the_channel(small_company: DemoCompany) -> None:
    frame = small_company.feedback
    bounds = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "rating": (1, 5)}
    for column, (low, high) in bounds.items():
        values = frame[column].drop_nulls()
        assert values.min() == low and values.max() == high, column
    surveys = frame.filter(pl.col("channel") == "survey")
    assert (surveys["nps"].is_null() == surveys["csat"].is_not_null()).all()
    assert (surveys["csat"].is_null() == surveys["ces"].is_null()).all()
    support = surveys.filter(pl.col("csat").is_not_null())
    assert (support["journey_stage"] == "support").all()
    reviews = frame.filter(pl.col("channel") == "review")
    assert reviews["rating"].is_not_null().all()
    assert reviews.select(pl.col("nps", "csat", "ces").is_null().all()).row(0) == (True,) * 3
    written = frame.filter(pl.col("channel").is_in(WRITTEN_CONTACTS))
    assert written.select(pl.col(*bounds).is_null().all()).row(0) == (True,) * 4
    assert written["text"].is_not_null().all()


def test_scores_agree_with_what_the_text_says(small_company: DemoCompany) -> None:
    frame = with_truth(small_company).filter(pl.col("nps").is_not_null())
    by_sentiment = dict(frame.group_by("sentiment").agg(pl.col("nps").mean()).iter_rows())
    assert by_sentiment["negative"] < by_sentiment["neutral"] < by_sentiment["positive"]
    detractors = frame.filter(pl.col("nps") <= 4, pl.col("text").is_not_null())
    assert (detractors["sentiment"] == "negative").mean() > 0.9  # type: ignore[operator]
    promoters = frame.filter(pl.col("nps") >= 9, pl.col("text").is_not_null())
    assert (promoters["sentiment"] == "positive").mean() > 0.9  # type: ignore[operator]


def test_texts_are_varied_and_some_are_empty(small_company: DemoCompany) -> None:
    frame = with_truth(small_company)
    texts = frame["text"].drop_nulls()
    assert texts.n_unique() / texts.len() > 0.7
    assert 0.05 < frame["text"].is_null().mean() < 0.3  # type: ignore[operator]
    assert set(frame.filter(pl.col("text").is_null())["channel"]) == {"survey", "review"}
    assert texts.str.contains("\n").any()


def test_personal_data_is_planted_where_truth_says(small_company: DemoCompany) -> None:
    frame = with_truth(small_company).filter(pl.col("pii").is_not_null())
    assert 0.02 < frame.height / small_company.feedback.height < 0.1
    emails = frame.filter(pl.col("pii").str.contains("email"))
    assert emails["text"].str.contains(r"[\w.]+@\w+\.\w+").all()
    orders = frame.filter(pl.col("pii").str.contains("order"))
    assert orders["text"].str.contains(r"NH-\d{7}").all()
    order_ids = small_company.events["order_id"].drop_nulls().implode()
    quoted = orders["text"].str.extract(r"(NH-\d{7})")
    assert quoted.is_in(order_ids).all()


def test_themes_use_the_documented_keys(small_company: DemoCompany) -> None:
    keys = small_company.truth["themes"].drop_nulls().str.split(";").explode().unique()
    assert set(keys) == set(THEMES)


# Consistency between tables


def test_deliveries_precede_delivery_feedback(small_company: DemoCompany) -> None:
    delivered = small_company.feedback.filter(pl.col("journey_stage") == "delivery")
    deliveries = small_company.events.filter(pl.col("type") == "delivery")
    matched = (
        delivered.select("id", "customer_id", received=local_time("received_at"))
        .join(
            deliveries.select("customer_id", occurred=local_time("occurred_at")), on="customer_id"
        )
        .filter(pl.col("occurred") <= pl.col("received"))
    )
    assert matched["id"].n_unique() == delivered.height


def test_campaign_exposure_precedes_the_campaign_column(small_company: DemoCompany) -> None:
    tagged = small_company.feedback.filter(pl.col("campaign").is_not_null())
    sends = small_company.events.filter(pl.col("type") == "campaign")
    matched = (
        tagged.select("id", "customer_id", "campaign", received=local_time("received_at"))
        .join(
            sends.select("customer_id", "campaign", sent=local_time("occurred_at")),
            on=["customer_id", "campaign"],
        )
        .filter(
            pl.col("sent") <= pl.col("received"),
            pl.col("received") - pl.col("sent") <= pl.duration(days=30),
        )
    )
    assert matched["id"].n_unique() == tagged.height
    assert set(tagged["campaign"].unique()) <= set(small_company.campaigns["name"])


def test_only_one_campaign_is_the_bad_one(small_company: DemoCompany) -> None:
    campaigns = small_company.campaigns
    assert campaigns.height >= 8
    assert campaigns["name"].is_unique().all()
    assert campaigns.filter(pl.col("description").str.contains("(?i)fine print")).height == 1
    bad = campaigns.filter(pl.col("name") == CHEATING_CAMPAIGN).row(0, named=True)
    assert bad["starts_at"] == f"{CHEATING_MONTH}-01"


# The planted stories


def test_cheating_campaign_sinks_nps_of_those_who_got_it(demo_company: DemoCompany) -> None:
    frame = with_truth(demo_company).filter(pl.col("nps").is_not_null())
    june = frame.filter(pl.col("month") == CHEATING_MONTH)
    by_exposure = dict(june.group_by("exposed").agg(nps()).iter_rows())
    assert by_exposure[False] - by_exposure[True] >= 25
    unexposed_before = frame.filter(pl.col("month") < CHEATING_MONTH, ~pl.col("exposed"))
    assert abs(by_exposure[False] - unexposed_before.select(nps()).item()) < 10
    other_months = frame.filter(pl.col("month") != CHEATING_MONTH).select(nps()).item()
    assert other_months - june.select(nps()).item() >= 12


def test_customer_service_complaints_come_from_the_campaign(demo_company: DemoCompany) -> None:
    frame = with_truth(demo_company).filter(pl.col("text").is_not_null())
    rates = frame.group_by(june=pl.col("month") == CHEATING_MONTH, exposed="exposed").agg(
        service=mentions("customer_service").mean()
    )
    rate = {(june, exposed): value for june, exposed, value in rates.iter_rows()}
    assert rate[(True, True)] >= 3 * rate[(False, False)]
    assert rate[(True, False)] <= 1.5 * rate[(False, False)]
    cheated = frame.filter(pl.col("story") == "cheating_campaign")
    assert cheated["exposed"].mean() > 0.95  # type: ignore[operator]
    assert cheated.select((mentions("price") | mentions("billing")).all()).item()
    assert cheated.select(mentions("marketing").all()).item()


def test_written_contacts_surge_in_the_campaign_month(demo_company: DemoCompany) -> None:
    frame = with_truth(demo_company).filter(pl.col("channel").is_in(WRITTEN_CONTACTS))
    monthly = frame.group_by("month").len()
    june = monthly.filter(pl.col("month") == CHEATING_MONTH)["len"].item()
    others = monthly.filter(pl.col("month") != CHEATING_MONTH)["len"].median()
    assert june >= 1.5 * others  # type: ignore[operator]


def test_late_partner_arrives_late_from_the_date(small_company: DemoCompany) -> None:
    deliveries = small_company.events.filter(pl.col("type") == "delivery").with_columns(
        after=pl.col("occurred_at").str.slice(0, 10) >= LATE_FROM.isoformat(),
        affected=(pl.col("delivery_partner") == LATE_PARTNER) & (pl.col("region") == LATE_REGION),
    )
    means = deliveries.group_by("affected", "after").agg(pl.col("late_minutes").mean())
    late = {(affected, after): value for affected, after, value in means.iter_rows()}
    assert late[(True, True)] >= 10 * late[(True, False)]
    assert late[(True, True)] >= 600
    assert 0.5 < late[(False, True)] / late[(False, False)] < 2


def test_late_partner_brings_complaints_and_lower_nps(demo_company: DemoCompany) -> None:
    frame = with_truth(demo_company).filter(
        pl.col("journey_stage") == "delivery", pl.col("channel") == "survey"
    )
    frame = frame.with_columns(
        after=pl.col("day") >= LATE_FROM.isoformat(),
        affected=(pl.col("delivery_partner") == LATE_PARTNER) & (pl.col("region") == LATE_REGION),
    )
    stats = frame.group_by("affected", "after").agg(nps(), complaints=mentions("delivery").mean())
    get = {(a, b): (score, rate) for a, b, score, rate in stats.iter_rows()}
    assert get[(True, False)][0] - get[(True, True)][0] >= 15
    assert get[(True, True)][1] >= 3 * get[(True, False)][1]
    assert abs(get[(False, True)][0] - get[(False, False)][0]) < 8


def test_returns_policy_lifts_nps_against_other_countries(demo_company: DemoCompany) -> None:
    frame = with_truth(demo_company).with_columns(
        policy=pl.col("country") == RETURNS_POLICY_COUNTRY,
        after=pl.col("day") >= RETURNS_POLICY_FROM.isoformat(),
    )
    scores = frame.filter(pl.col("nps").is_not_null()).group_by("policy", "after").agg(nps())
    get = {(a, b): value for a, b, value in scores.iter_rows()}
    lift = (get[(True, True)] - get[(True, False)]) - (get[(False, True)] - get[(False, False)])
    assert lift >= 5
    praise = frame.group_by("policy", "after").agg(mentions("returns", "positive").mean())
    rate = {(a, b): value for a, b, value in praise.iter_rows()}
    assert rate[(True, True)] >= 3 * rate[(True, False)]
    assert rate[(False, True)] < 1.5 * rate[(False, False)]


def test_opening_hours_annoy_a_steady_share(demo_company: DemoCompany) -> None:
    frame = with_truth(demo_company).filter(pl.col("story").ne_missing("cheating_campaign"))
    monthly = frame.group_by("month").agg(share=mentions("opening_hours").mean())
    assert monthly["share"].min() >= 0.015  # type: ignore[operator]
    assert monthly["share"].max() <= 0.05  # type: ignore[operator]


def test_loud_customers_are_loud_not_many(small_company: DemoCompany) -> None:
    frame = with_truth(small_company)
    per_customer = dict(
        frame.filter(pl.col("customer_id").is_in(LOUD_CUSTOMERS))
        .group_by("customer_id")
        .agg(mentions(LOUD_THEME).sum())
        .iter_rows()
    )
    assert per_customer == dict(zip(LOUD_CUSTOMERS, LOUD_MESSAGES, strict=True))
    assert all(30 <= count <= 80 for count in LOUD_MESSAGES)
    complaints = frame.filter(mentions(LOUD_THEME))
    assert complaints["customer_id"].is_in(LOUD_CUSTOMERS).mean() >= 0.5  # type: ignore[operator]
    per_theme = {
        theme: frame.filter(mentions(theme)).select(pl.len() / pl.col("customer_id").n_unique())
        for theme in THEMES
    }
    loudness = {theme: value.item() for theme, value in per_theme.items()}
    others = sorted(value for theme, value in loudness.items() if theme != LOUD_THEME)
    assert loudness[LOUD_THEME] >= 5 * others[len(others) // 2]


def test_planted_drivers_explain_nps_in_order(demo_company: DemoCompany) -> None:
    frame = with_truth(demo_company).filter(pl.col("nps").is_not_null())
    pairs = [(theme, polarity) for theme in THEMES for polarity in ("negative", "positive")]
    features = frame.select(mentions(t, p).alias(f"{t}:{p}") for t, p in pairs).to_numpy()
    design = np.column_stack([np.ones(frame.height), features.astype(float)])
    coefficients, *_ = np.linalg.lstsq(design, frame["nps"].to_numpy().astype(float), rcond=None)
    support = dict(zip(pairs, features.sum(axis=0), strict=True))
    effect = dict(zip(pairs, coefficients[1:], strict=True))
    planted = [abs(effect[key]) for key in DRIVER_EFFECTS]
    assert planted == sorted(planted, reverse=True)
    # Rare experiences (a handful of mentions among the NPS answers) are too noisy to rank.
    others = [
        abs(e) for key, e in effect.items() if key not in DRIVER_EFFECTS and support[key] > 100
    ]
    assert min(planted) > max(others) + 0.2
    assert PLANTED_DRIVERS == tuple(theme for theme, _ in DRIVER_EFFECTS)
    for key, value in DRIVER_EFFECTS.items():
        assert np.sign(effect[key]) == np.sign(value)


def test_volume_peaks_before_christmas(demo_company: DemoCompany) -> None:
    monthly = dict(with_truth(demo_company).group_by("month").len().iter_rows())
    spring = np.mean([monthly[m] for m in ("2026-02", "2026-03", "2026-04", "2026-05")])
    assert monthly["2025-11"] > 1.2 * spring
    assert monthly["2025-12"] > 1.2 * spring


def test_churn_follows_detractor_experiences(small_company: DemoCompany) -> None:
    detractors = small_company.feedback.filter(pl.col("nps") <= 6)["customer_id"].implode()
    churn = dict(
        small_company.customers.group_by(detractor=pl.col("customer_id").is_in(detractors))
        .agg(pl.col("churned_at").is_not_null().mean())
        .iter_rows()
    )
    assert churn[True] >= 1.5 * churn[False]
    last_feedback = small_company.feedback.group_by("customer_id").agg(
        last=pl.col("received_at").str.slice(0, 10).max()
    )
    churned = small_company.customers.join(last_feedback, on="customer_id").filter(
        pl.col("churned_at").is_not_null()
    )
    assert (churned["churned_at"] > churned["last"]).all()


# Writing


def test_write_produces_csvs_that_read_back(small_company: DemoCompany, tmp_path: Path) -> None:
    paths = small_company.write(tmp_path / "nordhem")
    assert set(paths) == {"feedback", "customers", "events", "campaigns", "truth"}
    for name, path in paths.items():
        assert path == tmp_path / "nordhem" / f"{name}.csv"
        frame = getattr(small_company, name)
        assert path.read_bytes().startswith(",".join(frame.columns).encode())
        back = pl.read_csv(path, schema=frame.schema)
        assert back.equals(frame), name
