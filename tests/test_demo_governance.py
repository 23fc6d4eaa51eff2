"""The demo's governance: two capabilities wait for review, deprecations have a plan."""

from tests.test_seed import demo  # noqa: F401  (the fixture)


def test_the_demo_has_reviews_waiting_and_a_deprecation_plan(client, demo):  # noqa: F811
    pending = client.get("/api/v1/reviews").get_json()
    assert {item["capability"] for item in pending["items"]} == {
        "lingxi-social-feed", "realtime-user-features"}
    sent_back = next(i for i in pending["items"] if i["capability"] == "realtime-user-features")
    assert sent_back["last_decision"]["decision"] == "changes"
    plan = client.get("/api/v1/capabilities/legacy-promotion-rules/deprecation-plan").get_json()
    assert plan["days_left"] == 75 and plan["replacement"]["slug"] == "promotion-engine"
    assert {m["team"]: m["status"] for m in plan["migrations"]} == {
        "trade-team": "in-progress", "tmall-team": "not-started"}
    page = client.get("/capabilities/presale-orders").get_data(as_text=True)
    assert "deprecated, sunset in 75 days" in page
