"""Demo and benchmark data, fed through the catalog's own writers.

:func:`seed_demo` tells the story of a small, realistic organisation (eight
businesses on one shared platform) through the catalog services, with the
clock set to the moment each step happened, so its history covers three
years; :func:`seed_scale` generates a catalog of any size with the same
organisation and feeds it to the Backstage and deliveries CSV importers, for
benchmarks. Neither writes a row by hand: they obey every rule a user's write
obeys and leave the same history. Both write everything in one transaction
and refuse to run on a catalog that already has capabilities.

Demo dates are given in months before the day of seeding, so the demo always
shows adoptions over the last three years. The demo also records three years
of business deliveries (see :func:`reuse_count` and :func:`lead_time`): as
businesses reuse more capabilities their median lead time falls from about 90
days to about 20, except the slow business (:data:`SLOW_BUSINESS`, Fliggy),
which keeps building its own and stays at about 90.
"""

import bisect
import csv
import datetime as dt
import io
import math
import random
import textwrap
from collections.abc import Callable
from typing import Any, NamedTuple

import sqlalchemy as sa

from catalog import (
    accounts,
    adoptions,
    backstage,
    demo_governance,
    history,
    lookups,
    organisation,
    seed_governance,
)
from catalog import capabilities as capability_service
from catalog import deliveries as deliveries_service
from catalog.db import db, transaction
from catalog.errors import ValidationFailed
from catalog.models import Business, Capability, Change, Domain, Team, User
from catalog.models._time import clock_at, today, utcnow
from catalog.seed_incubation import seed_incubation

NOT_EMPTY = "The catalog is not empty; seed into an empty database."

# -- the organisation ---------------------------------------------------------

# (slug, name, kind, description); the contact is <slug>@example.com.
TEAMS: list[tuple[str, str, str, str]] = [
    ("membership-team", "Membership Platform", "platform",
     "Accounts, member levels, real-name verification and 88VIP."),
    ("loyalty-team", "Loyalty & Points", "platform", "Points and member benefits."),
    ("product-team", "Product Platform", "platform",
     "Product Center, categories, reviews and product media."),
    ("inventory-team", "Inventory & Fulfilment", "platform",
     "Stock, reservations and fulfilment routing."),
    ("trade-team", "Transaction Platform", "platform",
     "Cart, checkout, orders, pricing and after-sales."),
    ("risk-team", "Trade Risk Control", "platform", "Fraud and abuse decisions on trade."),
    ("marketing-team", "Marketing Platform", "platform",
     "Coupons, promotions, campaigns and reach."),
    ("store-team", "Store Platform", "platform", "Merchant stores and onboarding."),
    ("customer-service-team", "Customer Service Platform", "platform",
     "Buyer-merchant chat and service bots."),
    ("finance-team", "Finance Platform", "platform", "Ledger, invoicing, tax, credit and wallets."),
    ("settlement-team", "Settlement Platform", "platform",
     "Merchant settlement, commissions, payouts and reconciliation."),
    ("user-profile-team", "User Profile Data", "data", "Member tags, OneID and consent."),
    ("recommendation-team", "Recommendation Data", "data",
     "Feature store, embeddings, recall, ranking and experiments."),
    ("bi-team", "BI & Analytics", "data", "Shared datasets and the metric layer."),
    ("search-team", "Search Infrastructure", "infrastructure", "Search engine and indexing."),
    ("messaging-team", "Messaging Infrastructure", "infrastructure",
     "Message queue, event bus, push and SMS."),
    ("payment-gateway-team", "Payment Gateway", "infrastructure",
     "Payment channels, card vault and refunds."),
    ("compute-team", "Compute Platform", "infrastructure",
     "Containers, cache, configuration and batch compute."),
    ("storage-team", "Storage", "infrastructure", "Object storage."),
    ("observability-team", "Observability", "infrastructure", "Tracing, metrics and logs."),
    ("image-team", "Image Services", "infrastructure", "Image processing, moderation and CDN."),
    ("voice-team", "Voice Services", "infrastructure", "Speech recognition, TTS and voice calls."),
    ("taobao-team", "Taobao Tech", "business", "Builds the Taobao app."),
    ("tmall-team", "Tmall Tech", "business", "Builds Tmall and its brand flagship stores."),
    ("xianyu-team", "Xianyu Tech", "business", "Builds the Xianyu second-hand marketplace."),
    ("youku-team", "Youku Tech", "business", "Builds Youku and runs Youku VIP."),
    ("fliggy-team", "Fliggy Tech", "business", "Builds the Fliggy travel app."),
    ("eleme-team", "Ele.me Tech", "business", "Builds the Ele.me delivery and rider apps."),
    ("hema-team", "Hema Tech", "business", "Builds Hema's app and in-store systems."),
    ("lingxi-team", "Lingxi Incubation", "business", "Incubates the Lingxi social shopping app."),
]

# (slug, name, layer, description)
DOMAINS: list[tuple[str, str, str, str]] = [
    ("storefronts", "Storefronts & BFFs", "frontend",
     "Backends-for-frontends that compose platform capabilities into one business's app."),
    ("membership", "Membership", "business-platform",
     "Accounts, member levels, paid memberships, points and benefits shared by every business."),
    ("product", "Product", "business-platform", "Products, SKUs, categories, stock and reviews."),
    ("transaction", "Transaction", "business-platform",
     "Cart, checkout, orders, pricing, after-sales and trade risk."),
    ("marketing", "Marketing", "business-platform", "Coupons, promotions, campaigns and reach."),
    ("store", "Store", "business-platform",
     "Merchant stores, onboarding, decoration and customer service."),
    ("finance", "Finance", "business-platform", "Ledger, invoicing, tax, credit and wallets."),
    ("settlement", "Settlement", "business-platform",
     "Settling money between the platform, merchants and partners."),
    ("user-profile", "User Profile Tags", "data-platform",
     "Who a member is: tags, identity graph and consent."),
    ("recommendation", "Recommendation Features", "data-platform",
     "Features, embeddings and models behind every feed."),
    ("bi", "BI Datasets", "data-platform", "Shared datasets and one definition of each metric."),
    ("search", "Search", "infrastructure", "Search engine, indexing and query understanding."),
    ("messaging", "Messaging", "infrastructure", "Queues, events, push and SMS."),
    ("payment-gateway", "Payment Gateway", "infrastructure",
     "Every payment channel behind one gateway."),
    ("compute", "Compute & Storage", "infrastructure",
     "Containers, cache, configuration, storage, batch compute and observability."),
    ("image", "Image", "infrastructure", "Image processing, moderation and delivery."),
    ("voice", "Voice", "infrastructure", "Speech recognition, synthesis and voice calls."),
]

# (slug, name, status, owning team, description)
BUSINESSES: list[tuple[str, str, str, str, str]] = [
    ("taobao", "Taobao", "live", "taobao-team", "The consumer marketplace."),
    ("tmall", "Tmall", "live", "tmall-team", "Brand flagship stores and authentic goods."),
    ("xianyu", "Xianyu", "live", "xianyu-team", "Second-hand marketplace between members."),
    ("youku", "Youku", "live", "youku-team", "Video streaming with the Youku VIP subscription."),
    ("fliggy", "Fliggy", "live", "fliggy-team", "Flights, hotels and holidays."),
    ("eleme", "Ele.me", "live", "eleme-team", "Food and grocery delivery in 30 minutes."),
    ("hema", "Hema", "live", "hema-team", "Fresh grocery stores with app ordering and delivery."),
    ("lingxi", "Lingxi", "incubating", "lingxi-team",
     "A new social shopping app: shoppable posts and group buying among friends."),
]

# (username, password, role, team slug or ""): demo accounts, printed at start-up.
DEMO_LOGINS: list[tuple[str, str, str, str]] = [
    ("admin", "demo-admin-pass", "admin", ""),
    ("architect", "demo-architect-pass", "architect", ""),
    ("member-dev", "demo-member-pass", "contributor", "membership-team"),
    ("trade-dev", "demo-trade-pass", "contributor", "trade-team"),
    ("taobao-lead", "demo-taobao-pass", "contributor", "taobao-team"),
    ("viewer", "demo-viewer-pass", "viewer", ""),
]
DEMO_DISPLAY_NAMES = {
    "admin": "Portal Admin",
    "architect": "Lin Wei",
    "member-dev": "Zhang Min",
    "trade-dev": "Li Hua",
    "taobao-lead": "Chen Jie",
    "viewer": "Wang Fang",
}

# -- the demo capabilities ----------------------------------------------------

# (name, kind, version, status)
ApiRow = tuple[str, str, str, str]


class CapabilityRow(NamedTuple):
    slug: str
    name: str
    domain: str
    team: str
    tier: int
    lifecycle: str
    launched: int | None  # months before today; None while not launched
    sla: tuple[str, int | None] | None  # (availability %, p99 ms)
    tags: str  # space-separated
    summary: str
    apis: tuple[ApiRow, ...]
    deprecated: int | None = None  # months before today


C = CapabilityRow
PROD, APPROVED, PROPOSED = "production", "approved", "proposed"
DEPRECATED, RETIRED = "deprecated", "retired"

CAPABILITIES: list[CapabilityRow] = [
    # storefronts (frontend)
    C("taobao-app-gateway", "Taobao App Gateway", "storefronts", "taobao-team", 1, PROD, 70,
      ("99.99", 150), "bff mobile gateway",
      "Backend-for-frontend of the Taobao app: composes member, product, cart and order calls "
      "into one screen-sized response.",
      (("Taobao app screens", "graphql", "v2", "stable"),
       ("Taobao app legacy screens", "openapi", "v1", "deprecated"))),
    C("tmall-mini-program-bff", "Tmall Mini-Program BFF", "storefronts", "tmall-team", 2, PROD,
      40, ("99.95", 200), "bff mini-program",
      "Serves the Tmall mini-programs hosted in partner super-apps.",
      (("Mini-program pages", "graphql", "v1", "stable"),
       ("Mini-program session", "openapi", "v1", "stable"))),
    C("eleme-delivery-app-bff", "Ele.me Delivery App BFF", "storefronts", "eleme-team", 1, PROD,
      50, ("99.99", 120), "bff delivery local-services",
      "Composes store, menu, cart and rider ETA data for the Ele.me app.",
      (("Delivery app screens", "graphql", "v1", "stable"),
       ("Rider ETA stream", "asyncapi", "v1", "stable"))),
    C("lingxi-social-feed", "Lingxi Social Feed", "storefronts", "lingxi-team", 3, PROPOSED,
      None, None, "social feed ugc",
      "Shoppable feed of friends' posts and group-buy invites for the Lingxi app.",
      (("Feed", "graphql", "v1", "beta"), ("Feed events", "asyncapi", "v1", "beta"))),
    # membership
    C("member-account", "Member Account", "membership", "membership-team", 1, PROD, 96,
      ("99.99", 50), "identity accounts login",
      "One account per person across every business: registration, login binding, profile and "
      "security settings.",
      (("Member account", "openapi", "v2", "stable"), ("Member lookup", "grpc", "v2", "stable"),
       ("Member account events", "asyncapi", "v1", "stable"))),
    C("member-level", "Member Levels", "membership", "membership-team", 1, PROD, 84,
      ("99.99", 40), "loyalty levels growth",
      "Member levels and growth value computed from purchases, so every business shows the "
      "same level.",
      (("Level query", "grpc", "v1", "stable"), ("Level change events", "asyncapi", "v1", "stable"),
       ("Level admin", "openapi", "v1", "stable"))),
    C("88vip-membership", "88VIP Membership", "membership", "membership-team", 1, PROD, 60,
      ("99.99", 60), "paid-membership vip benefits",
      "The paid 88VIP programme: subscription, renewal and the bundle of perks from partner "
      "businesses.",
      (("88VIP subscription", "openapi", "v1", "stable"), ("88VIP status", "grpc", "v1", "stable"),
       ("88VIP events", "asyncapi", "v1", "stable"))),
    C("youku-membership", "Youku VIP Membership", "membership", "youku-team", 2, PROD, 72,
      ("99.95", 80), "paid-membership vip video",
      "Youku VIP subscriptions and entitlements, open to other businesses as a membership perk.",
      (("VIP entitlement", "openapi", "v1", "stable"),
       ("VIP entitlement check", "thrift", "v1", "stable"),
       ("VIP grant events", "asyncapi", "v1", "beta"))),
    C("points-center", "Points Center", "membership", "loyalty-team", 2, PROD, 80,
      ("99.95", 80), "loyalty points",
      "Earn, burn and expire member points, with one balance across businesses.",
      (("Points ledger", "grpc", "v2", "stable"), ("Points", "openapi", "v1", "stable"),
       ("Points events", "asyncapi", "v1", "stable"))),
    C("member-benefits", "Member Benefits", "membership", "loyalty-team", 2, PROD, 52,
      ("99.95", 100), "loyalty benefits vip",
      "Catalogue of member benefits (free shipping, vouchers, partner perks) and their "
      "redemption.",
      (("Benefit catalogue", "openapi", "v1", "stable"),
       ("Benefit redemption", "grpc", "v1", "stable"))),
    C("real-name-verification", "Real-Name Verification", "membership", "membership-team", 1,
      PROD, 88, ("99.99", 300), "identity compliance kyc",
      "Verifies a member's legal identity once and shares the result with every business that "
      "needs KYC.",
      (("Verification", "openapi", "v1", "stable"),
       ("Verification status", "grpc", "v1", "stable"))),
    C("legacy-member-profile", "Legacy Member Profile", "membership", "membership-team", 2,
      DEPRECATED, 110, ("99.9", 200), "identity legacy",
      "The old per-business member profile store, being replaced by Member Account.",
      (("Profile", "thrift", "v1", "deprecated"), ("Profile REST", "openapi", "v1", "deprecated")),
      deprecated=14),
    # product
    C("product-center", "Product Center", "product", "product-team", 1, PROD, 100,
      ("99.99", 40), "catalog sku spu",
      "Single source of truth for products: SPUs, SKUs, attributes, listed prices and "
      "publication state.",
      (("Product query", "grpc", "v3", "stable"), ("Product", "openapi", "v2", "stable"),
       ("Product change events", "asyncapi", "v2", "stable"),
       ("Product graph", "graphql", "v1", "beta"))),
    C("product-category", "Category & Attributes", "product", "product-team", 2, PROD, 100,
      ("99.99", 30), "catalog taxonomy",
      "The shared category tree and attribute templates every listing is built from.",
      (("Category tree", "openapi", "v1", "stable"), ("Category query", "grpc", "v1", "stable"))),
    C("inventory-center", "Inventory Center", "product", "inventory-team", 1, PROD, 90,
      ("99.99", 30), "inventory stock",
      "Stock per SKU and warehouse, reserved at checkout and released on cancel.",
      (("Stock query", "grpc", "v2", "stable"), ("Reservation", "grpc", "v1", "stable"),
       ("Stock events", "asyncapi", "v1", "stable"))),
    C("product-review", "Reviews & Ratings", "product", "product-team", 2, PROD, 85,
      ("99.9", 150), "reviews ugc",
      "Buyer reviews, ratings and Q&A, with moderation.",
      (("Reviews", "openapi", "v1", "stable"), ("Review events", "asyncapi", "v1", "stable"))),
    C("product-media", "Product Media", "product", "product-team", 3, PROD, 64,
      ("99.9", 200), "catalog images video",
      "Main images, detail pages and short videos attached to products.",
      (("Media upload", "openapi", "v1", "stable"), ("Media query", "grpc", "v1", "stable"))),
    C("listing-compliance", "Listing Compliance", "product", "product-team", 2, APPROVED, None,
      ("99.9", 500), "compliance catalog",
      "Checks new listings against category rules and prohibited-goods lists before they go "
      "live.",
      (("Compliance check", "grpc", "v1", "beta"),
       ("Compliance verdict events", "asyncapi", "v1", "beta"))),
    C("legacy-sku-mapping", "Legacy SKU Mapping", "product", "product-team", 3, RETIRED, 115,
      None, "catalog legacy",
      "Mapped old Tmall SKU ids to Product Center SKUs during the migration. Retired.",
      (("SKU mapping", "thrift", "v1", "deprecated"),
       ("SKU mapping export", "openapi", "v1", "deprecated")),
      deprecated=30),
    # transaction
    C("cart", "Shopping Cart", "transaction", "trade-team", 1, PROD, 100, ("99.99", 50),
      "trade cart",
      "Per-member cart across devices, with price and stock re-checked when shown.",
      (("Cart", "openapi", "v2", "stable"), ("Cart query", "grpc", "v1", "stable"))),
    C("checkout", "Checkout", "transaction", "trade-team", 1, PROD, 98, ("99.99", 120),
      "trade checkout",
      "Turns a cart into an order: address, delivery options, final price and payment hand-off.",
      (("Checkout", "openapi", "v2", "stable"), ("Checkout session", "grpc", "v1", "stable"),
       ("Checkout (legacy)", "openapi", "v1", "deprecated"))),
    C("order-center", "Order Center", "transaction", "trade-team", 1, PROD, 100,
      ("99.995", 60), "trade orders",
      "One order model for every business: creation, payment, fulfilment and closing.",
      (("Order", "openapi", "v2", "stable"), ("Order query", "grpc", "v2", "stable"),
       ("Order events", "asyncapi", "v2", "stable"),
       ("Order events v1", "asyncapi", "v1", "deprecated"),
       ("Order search", "graphql", "v1", "beta"))),
    C("pricing-engine", "Pricing Engine", "transaction", "trade-team", 1, PROD, 76,
      ("99.99", 25), "trade pricing",
      "Computes what a buyer pays: list price, promotions, coupons, member discounts and "
      "shipping.",
      (("Price quote", "grpc", "v2", "stable"), ("Price trace", "openapi", "v1", "beta"))),
    C("after-sales", "After-Sales & Refunds", "transaction", "trade-team", 1, PROD, 94,
      ("99.95", 200), "trade refunds returns",
      "Returns, refunds and disputes with their deadlines and evidence.",
      (("Refund request", "openapi", "v1", "stable"),
       ("After-sales events", "asyncapi", "v1", "stable"))),
    C("fulfilment-routing", "Fulfilment Routing", "transaction", "inventory-team", 2, PROD, 56,
      ("99.95", 80), "logistics fulfilment",
      "Chooses the warehouse, carrier or rider for an order and tracks the parcel.",
      (("Routing", "grpc", "v1", "stable"), ("Tracking", "openapi", "v1", "stable"),
       ("Tracking events", "asyncapi", "v1", "stable"))),
    C("trade-risk-control", "Trade Risk Control", "transaction", "risk-team", 1, PROD, 82,
      ("99.99", 40), "risk fraud",
      "Real-time fraud and abuse decisions on orders, coupons and payments.",
      (("Risk decision", "grpc", "v2", "stable"), ("Risk cases", "openapi", "v1", "stable"))),
    C("presale-orders", "Pre-Sale Orders", "transaction", "trade-team", 2, PROD, 44,
      ("99.99", 100), "trade presale double-11",
      "Deposit-then-balance orders for big sales such as Double 11.",
      (("Pre-sale", "openapi", "v1", "stable"), ("Pre-sale events", "asyncapi", "v1", "stable"))),
    C("secondhand-escrow", "Second-Hand Escrow", "transaction", "trade-team", 2, APPROVED, None,
      ("99.95", 150), "trade escrow second-hand",
      "Holds the buyer's payment until a second-hand item is received and inspected.",
      (("Escrow", "openapi", "v1", "beta"), ("Escrow events", "asyncapi", "v1", "beta"))),
    # marketing
    C("coupon-center", "Coupon Center", "marketing", "marketing-team", 2, PROD, 92,
      ("99.99", 40), "marketing coupons",
      "Issue, hold, lock and redeem coupons, stock-limited and member-targeted.",
      (("Coupon", "openapi", "v2", "stable"), ("Coupon redemption", "grpc", "v2", "stable"),
       ("Coupon events", "asyncapi", "v1", "stable"))),
    C("promotion-engine", "Promotion Engine", "marketing", "marketing-team", 2, PROD, 88,
      ("99.99", 30), "marketing promotions",
      "Promotion rules (discounts, bundles, spend-and-save) evaluated at cart and checkout.",
      (("Promotion evaluate", "grpc", "v2", "stable"),
       ("Promotion admin", "openapi", "v1", "stable"))),
    C("campaign-management", "Campaign Management", "marketing", "marketing-team", 2, PROD, 70,
      ("99.9", 300), "marketing campaigns",
      "Plans big sales and campaigns: venues, schedules, budgets and participating merchants.",
      (("Campaign", "openapi", "v1", "stable"), ("Campaign graph", "graphql", "v1", "beta"))),
    C("red-envelope", "Red Envelopes", "marketing", "marketing-team", 2, PROD, 66,
      ("99.95", 60), "marketing cash-rewards",
      "Cash red envelopes for festivals and sharing games, with budget control.",
      (("Red envelope", "openapi", "v1", "stable"), ("Grant events", "asyncapi", "v1", "stable"))),
    C("group-buying", "Group Buying", "marketing", "marketing-team", 3, APPROVED, None,
      ("99.9", 150), "marketing social group-buy",
      "Invite friends to unlock a group price: the basis of social shopping.",
      (("Group", "openapi", "v1", "beta"), ("Group events", "asyncapi", "v1", "beta"))),
    C("livestream-commerce", "Livestream Commerce Toolkit", "marketing", "marketing-team", 2,
      PROD, 38, ("99.95", 100), "marketing livestream",
      "Product cards, flash coupons and live orders for livestream hosts.",
      (("Live room", "openapi", "v1", "stable"), ("Live events", "asyncapi", "v1", "stable"),
       ("Live stats", "graphql", "v1", "beta"))),
    C("marketing-reach", "Marketing Reach", "marketing", "marketing-team", 3, PROD, 58,
      ("99.9", 1000), "marketing push sms",
      "Sends campaign messages by push, SMS and in-app letters, with frequency caps.",
      (("Reach task", "openapi", "v1", "stable"), ("Reach receipts", "asyncapi", "v1", "stable"))),
    C("legacy-promotion-rules", "Legacy Promotion Rules", "marketing", "marketing-team", 3,
      DEPRECATED, 108, ("99.5", 300), "marketing legacy",
      "The old promotion rule store; rules now live in Promotion Engine.",
      (("Rules", "thrift", "v1", "deprecated"), ("Rules REST", "openapi", "v1", "deprecated")),
      deprecated=18),
    # store
    C("store-center", "Store Center", "store", "store-team", 2, PROD, 100, ("99.99", 50),
      "store merchants",
      "Merchant stores: profile, qualifications, status and staff accounts.",
      (("Store", "openapi", "v2", "stable"), ("Store query", "grpc", "v1", "stable"),
       ("Store events", "asyncapi", "v1", "stable"))),
    C("merchant-onboarding", "Merchant Onboarding", "store", "store-team", 2, PROD, 78,
      ("99.9", 500), "store merchants onboarding",
      "Application, document review and contract signing for new merchants.",
      (("Application", "openapi", "v1", "stable"),
       ("Onboarding events", "asyncapi", "v1", "stable"))),
    C("store-decoration", "Store Decoration", "store", "store-team", 3, PROD, 74, ("99.9", 200),
      "store pages",
      "Drag-and-drop store home pages and modules.",
      (("Page", "openapi", "v1", "stable"), ("Page render", "graphql", "v1", "stable"))),
    C("customer-service-im", "Customer Service IM", "store", "customer-service-team", 2, PROD, 86,
      ("99.95", 150), "store im customer-service",
      "Chat between buyers and merchant staff or bots, with the order at hand.",
      (("Conversation", "openapi", "v1", "stable"), ("Message stream", "asyncapi", "v1", "stable"),
       ("Session", "grpc", "v1", "stable"))),
    C("local-store-locator", "Local Store Locator", "store", "store-team", 2, PROD, 46,
      ("99.95", 80), "store local-services geo",
      "Finds nearby physical stores and their delivery ranges for local-services businesses.",
      (("Nearby stores", "grpc", "v1", "stable"), ("Store coverage", "openapi", "v1", "stable"))),
    # finance
    C("account-ledger", "Account Ledger", "finance", "finance-team", 1, PROD, 96,
      ("99.995", 30), "finance ledger",
      "Double-entry ledger for every money movement on the platform.",
      (("Posting", "grpc", "v2", "stable"), ("Ledger query", "openapi", "v1", "stable"),
       ("Posting events", "asyncapi", "v1", "stable"))),
    C("e-invoicing", "E-Invoicing", "finance", "finance-team", 2, PROD, 68, ("99.9", 800),
      "finance invoices tax",
      "Issues VAT e-invoices for orders and merchants.",
      (("Invoice", "openapi", "v1", "stable"), ("Invoice events", "asyncapi", "v1", "stable"))),
    C("tax-calculation", "Tax Calculation", "finance", "finance-team", 2, PROD, 62,
      ("99.95", 50), "finance tax cross-border",
      "Computes VAT and cross-border duties per order line.",
      (("Tax quote", "grpc", "v1", "stable"), ("Tax rules", "openapi", "v1", "stable"))),
    C("credit-pay", "Credit Pay Instalments", "finance", "finance-team", 1, PROD, 54,
      ("99.99", 150), "finance credit instalments",
      "Buy now, pay later: credit checks, instalment plans and repayment.",
      (("Instalment plan", "openapi", "v1", "stable"), ("Credit check", "grpc", "v1", "stable"))),
    C("merchant-wallet", "Merchant Wallet", "finance", "finance-team", 1, PROD, 80,
      ("99.99", 60), "finance wallet merchants",
      "Merchant balances, frozen funds and withdrawals.",
      (("Wallet", "openapi", "v1", "stable"), ("Wallet query", "grpc", "v1", "stable"),
       ("Wallet events", "asyncapi", "v1", "stable"))),
    C("fx-rates", "FX Rates", "finance", "finance-team", 3, PROD, 48, ("99.9", 20),
      "finance fx cross-border",
      "Daily and intraday currency rates for cross-border prices and settlement.",
      (("Rates", "openapi", "v1", "stable"), ("Rate query", "grpc", "v1", "stable"))),
    # settlement
    C("settlement-engine", "Settlement Engine", "settlement", "settlement-team", 1, PROD, 94,
      ("99.99", 500), "settlement merchants",
      "Computes what each merchant is owed per order after fees, refunds and subsidies.",
      (("Settlement", "openapi", "v2", "stable"), ("Settlement batch", "grpc", "v1", "stable"),
       ("Settlement events", "asyncapi", "v1", "stable"))),
    C("reconciliation", "Reconciliation", "settlement", "settlement-team", 1, PROD, 90,
      ("99.95", 2000), "settlement reconciliation",
      "Matches platform records against bank and channel statements every day.",
      (("Reconciliation job", "openapi", "v1", "stable"),
       ("Mismatch events", "asyncapi", "v1", "stable"))),
    C("commission-calculation", "Commission Calculation", "settlement", "settlement-team", 2,
      PROD, 72, ("99.95", 100), "settlement commission",
      "Platform commissions and affiliate fees per category and campaign.",
      (("Commission quote", "grpc", "v1", "stable"),
       ("Commission rules", "openapi", "v1", "stable"))),
    C("payout-scheduler", "Payout Scheduler", "settlement", "settlement-team", 2, PROD, 60,
      ("99.95", 1000), "settlement payouts",
      "Schedules and batches payouts to merchants, riders and partners.",
      (("Payout", "openapi", "v1", "stable"), ("Payout events", "asyncapi", "v1", "stable"))),
    C("cross-border-settlement", "Cross-Border Settlement", "settlement", "settlement-team", 2,
      APPROVED, None, ("99.95", 2000), "settlement cross-border fx",
      "Settles with overseas merchants in their own currency.",
      (("Cross-border settlement", "openapi", "v1", "beta"),
       ("Settlement file", "thrift", "v1", "beta"))),
    # user profile (data)
    C("user-profile-tags", "User Profile Tags", "user-profile", "user-profile-team", 2, PROD, 84,
      ("99.95", 20), "profile tags",
      "Thousands of member tags (life stage, interests, spending power) served online and "
      "offline.",
      (("Tag query", "grpc", "v2", "stable"), ("Tag definition", "openapi", "v1", "stable"),
       ("Tag snapshot", "graphql", "v1", "beta"))),
    C("audience-segmentation", "Audience Segmentation", "user-profile", "user-profile-team", 2,
      PROD, 70, ("99.9", 2000), "profile segments marketing",
      "Builds audiences from tag expressions for campaigns and experiments.",
      (("Audience", "openapi", "v1", "stable"), ("Audience export", "asyncapi", "v1", "stable"))),
    C("identity-graph", "Identity Graph", "user-profile", "user-profile-team", 2, PROD, 76,
      ("99.95", 30), "profile identity oneid",
      "OneID: links the devices, accounts and phone numbers of one person across businesses.",
      (("Identity resolve", "grpc", "v1", "stable"),
       ("Identity merge events", "asyncapi", "v1", "stable"))),
    C("realtime-user-features", "Real-Time User Features", "user-profile", "user-profile-team", 2,
      PROPOSED, None, None, "profile realtime features",
      "Session-level features (last clicks, cart changes) within seconds, for ranking and risk.",
      (("Feature read", "grpc", "v1", "beta"), ("Feature updates", "asyncapi", "v1", "beta"))),
    C("consent-registry", "Privacy Consent Registry", "user-profile", "user-profile-team", 1,
      PROD, 40, ("99.99", 20), "privacy compliance",
      "Records each member's consents so that data products can honour them.",
      (("Consent", "openapi", "v1", "stable"), ("Consent check", "grpc", "v1", "stable"),
       ("Consent change events", "asyncapi", "v1", "stable"))),
    # recommendation (data)
    C("recommendation-feature-store", "Recommendation Feature Store", "recommendation",
      "recommendation-team", 2, PROD, 66, ("99.95", 15), "recommendation features",
      "Online and offline features for recommendation models, the same in training and serving.",
      (("Feature fetch", "grpc", "v2", "stable"), ("Feature registry", "openapi", "v1", "stable"))),
    C("item-embeddings", "Item Embeddings", "recommendation", "recommendation-team", 3, PROD, 50,
      ("99.9", 20), "recommendation embeddings",
      "Vector embeddings of products and content, refreshed daily.",
      (("Embedding lookup", "grpc", "v1", "stable"),
       ("Embedding snapshots", "asyncapi", "v1", "stable"))),
    C("recall-service", "Recall Service", "recommendation", "recommendation-team", 2, PROD, 60,
      ("99.95", 30), "recommendation recall",
      "Candidate generation for feeds: collaborative, vector and rule-based recall.",
      (("Recall", "grpc", "v2", "stable"), ("Recall debug", "openapi", "v1", "beta"))),
    C("ranking-serving", "Ranking Model Serving", "recommendation", "recommendation-team", 2,
      PROD, 58, ("99.95", 40), "recommendation ranking ml",
      "Serves the ranking models that order candidates for each feed slot.",
      (("Rank", "grpc", "v1", "stable"), ("Model registry", "openapi", "v1", "stable"))),
    C("ab-experiment", "A/B Experiment Platform", "recommendation", "recommendation-team", 2,
      PROD, 74, ("99.95", 10), "experiments ab-testing",
      "Traffic splitting, experiment configuration and significance reports.",
      (("Bucket assignment", "grpc", "v1", "stable"), ("Experiment", "openapi", "v1", "stable"))),
    # BI (data)
    C("trade-bi-dataset", "Trade BI Dataset", "bi", "bi-team", 2, PROD, 90, ("99.5", None),
      "bi datasets trade",
      "Daily and hourly order, GMV and buyer tables: the basis of every trade report.",
      (("Trade tables", "openapi", "v1", "stable"),
       ("Trade dataset query", "graphql", "v1", "stable"))),
    C("metrics-layer", "GMV Metric Layer", "bi", "bi-team", 2, PROD, 54, ("99.9", 500),
      "bi metrics",
      "One definition of GMV, buyers, conversion and the other headline metrics.",
      (("Metric query", "openapi", "v1", "stable"),
       ("Metric catalogue", "graphql", "v1", "stable"))),
    C("merchant-analytics", "Merchant Analytics Dataset", "bi", "bi-team", 3, PROD, 62,
      ("99.5", None), "bi merchants",
      "Store traffic, conversion and sales datasets shown to merchants.",
      (("Merchant tables", "openapi", "v1", "stable"),
       ("Merchant report export", "asyncapi", "v1", "stable"))),
    C("marketing-attribution", "Marketing Attribution Dataset", "bi", "bi-team", 3, PROD, 36,
      ("99.5", None), "bi marketing attribution",
      "Which campaign, coupon or channel led to each order.",
      (("Attribution tables", "openapi", "v1", "stable"),
       ("Attribution query", "graphql", "v1", "beta"))),
    C("data-quality-monitor", "Data Quality Monitor", "bi", "bi-team", 2, PROD, 42,
      ("99.9", 1000), "bi data-quality",
      "Freshness, volume and rule checks on shared datasets, with alerts to their owners.",
      (("Checks", "openapi", "v1", "stable"), ("Check result events", "asyncapi", "v1", "stable"))),
    C("legacy-report-export", "Legacy Report Export", "bi", "bi-team", 3, DEPRECATED, 104,
      ("99.0", None), "bi legacy reports",
      "Nightly spreadsheet reports by mail, replaced by the GMV Metric Layer.",
      (("Report export", "openapi", "v1", "deprecated"),
       ("Report files", "thrift", "v1", "deprecated")),
      deprecated=10),
    # search (infrastructure)
    C("search-engine", "Search Engine", "search", "search-team", 1, PROD, 100, ("99.99", 80),
      "search",
      "Distributed full-text and vector search engine hosting every business's indices.",
      (("Search query", "grpc", "v3", "stable"), ("Index admin", "openapi", "v2", "stable"),
       ("Search query (legacy)", "thrift", "v2", "deprecated"))),
    C("search-indexer", "Search Indexer", "search", "search-team", 2, PROD, 90, ("99.95", 2000),
      "search indexing",
      "Builds and refreshes the product search indices from product changes.",
      (("Index job", "openapi", "v1", "stable"),
       ("Index update events", "asyncapi", "v1", "stable"))),
    C("query-understanding", "Query Understanding", "search", "search-team", 2, PROD, 68,
      ("99.95", 20), "search nlp",
      "Spelling correction, segmentation and intent of search queries.",
      (("Query parse", "grpc", "v1", "stable"), ("Synonyms", "openapi", "v1", "stable"))),
    C("search-suggest", "Search Suggestions", "search", "search-team", 3, PROD, 64, ("99.9", 15),
      "search suggest",
      "Type-ahead suggestions and trending queries.",
      (("Suggest", "grpc", "v1", "stable"), ("Suggest (web)", "openapi", "v1", "stable"))),
    # messaging (infrastructure)
    C("message-queue", "Message Queue", "messaging", "messaging-team", 1, PROD, 110,
      ("99.995", 10), "messaging queue",
      "Reliable, ordered message queue with transactional messages: the backbone of async flows.",
      (("Producer and consumer", "grpc", "v2", "stable"),
       ("Topic admin", "openapi", "v1", "stable"),
       ("Remoting", "thrift", "v1", "deprecated"))),
    C("event-bus", "Event Bus", "messaging", "messaging-team", 1, PROD, 48, ("99.99", 30),
      "messaging events cloudevents",
      "CloudEvents routing between capabilities, with a schema registry and replay.",
      (("Publish", "openapi", "v1", "stable"), ("Subscriptions", "asyncapi", "v1", "stable"),
       ("Schema registry", "openapi", "v2", "stable"))),
    C("push-notification", "Push Notifications", "messaging", "messaging-team", 2, PROD, 84,
      ("99.95", 500), "messaging push mobile",
      "App push to iOS, Android and HarmonyOS devices.",
      (("Push", "openapi", "v1", "stable"), ("Delivery receipts", "asyncapi", "v1", "stable"))),
    C("sms-gateway", "SMS Gateway", "messaging", "messaging-team", 2, PROD, 100, ("99.95", 800),
      "messaging sms",
      "Sends verification and notification SMS through several carriers.",
      (("SMS", "openapi", "v1", "stable"), ("SMS receipts", "asyncapi", "v1", "stable"))),
    # payment gateway (infrastructure)
    C("payment-gateway", "Payment Gateway", "payment-gateway", "payment-gateway-team", 1, PROD,
      110, ("99.995", 200), "payments",
      "Single entry to every payment channel: wallet, cards, bank transfer and local methods.",
      (("Payment", "openapi", "v3", "stable"), ("Payment channel", "grpc", "v2", "stable"),
       ("Payment result events", "asyncapi", "v2", "stable"),
       ("Payment (legacy)", "thrift", "v1", "deprecated"))),
    C("card-vault", "Card Vault", "payment-gateway", "payment-gateway-team", 1, PROD, 90,
      ("99.995", 50), "payments pci cards",
      "PCI-DSS tokenisation of bank cards, so that no other system stores card numbers.",
      (("Tokenize", "grpc", "v1", "stable"), ("Token admin", "openapi", "v1", "stable"))),
    C("refund-gateway", "Refund Gateway", "payment-gateway", "payment-gateway-team", 1, PROD, 96,
      ("99.99", 300), "payments refunds",
      "Routes refunds back through the original payment channel.",
      (("Refund", "openapi", "v1", "stable"),
       ("Refund result events", "asyncapi", "v1", "stable"))),
    C("cross-border-acquiring", "Cross-Border Acquiring", "payment-gateway",
      "payment-gateway-team", 2, APPROVED, None, ("99.95", 400), "payments cross-border",
      "Accepts foreign cards and wallets from overseas buyers.",
      (("Acquiring", "openapi", "v1", "beta"),
       ("Acquiring result events", "asyncapi", "v1", "beta"))),
    # compute and storage (infrastructure)
    C("container-platform", "Container Platform", "compute", "compute-team", 1, PROD, 80,
      ("99.99", None), "compute kubernetes",
      "Managed Kubernetes clusters, deployment pipelines and autoscaling.",
      (("Deployments", "openapi", "v1", "stable"), ("Cluster", "grpc", "v1", "stable"))),
    C("distributed-cache", "Distributed Cache", "compute", "compute-team", 1, PROD, 108,
      ("99.99", 5), "compute cache",
      "Redis-compatible cache clusters with cross-region replication.",
      (("Cache", "grpc", "v1", "stable"), ("Cache admin", "openapi", "v1", "stable"))),
    C("object-storage", "Object Storage", "compute", "storage-team", 1, PROD, 112,
      ("99.99", 100), "storage objects",
      "S3-compatible object storage for images, videos, files and backups.",
      (("Objects", "openapi", "v2", "stable"), ("Bucket events", "asyncapi", "v1", "stable"))),
    C("config-center", "Configuration Center", "compute", "compute-team", 1, PROD, 104,
      ("99.995", 10), "compute configuration",
      "Dynamic configuration and feature switches pushed to every service.",
      (("Config", "grpc", "v1", "stable"), ("Config admin", "openapi", "v1", "stable"))),
    C("batch-compute", "Batch Compute", "compute", "compute-team", 2, PROD, 100, ("99.9", None),
      "compute big-data",
      "Petabyte-scale SQL batch jobs, where datasets and features are built.",
      (("Jobs", "openapi", "v1", "stable"), ("Table access", "thrift", "v1", "stable"))),
    C("observability", "Tracing & Metrics", "compute", "observability-team", 2, PROD, 70,
      ("99.95", None), "compute observability",
      "Distributed tracing, metrics and logs for every service.",
      (("Ingest", "grpc", "v1", "stable"), ("Query", "openapi", "v1", "stable"),
       ("Trace graph", "graphql", "v1", "beta"))),
    # image (infrastructure)
    C("image-processing", "Image Processing", "image", "image-team", 2, PROD, 96, ("99.95", 150),
      "image resize",
      "Resize, crop, watermark and convert images on the fly.",
      (("Transform", "openapi", "v1", "stable"), ("Batch transform", "grpc", "v1", "stable"))),
    C("image-moderation", "Image Moderation", "image", "image-team", 2, PROD, 72, ("99.95", 300),
      "image moderation compliance",
      "Detects prohibited and infringing content in images.",
      (("Moderate", "grpc", "v1", "stable"),
       ("Moderation verdict events", "asyncapi", "v1", "stable"))),
    C("image-cdn", "Image CDN", "image", "image-team", 1, PROD, 110, ("99.99", 50), "image cdn",
      "Edge delivery of images, with cache purge.",
      (("Purge", "openapi", "v1", "stable"), ("Edge logs", "asyncapi", "v1", "stable"))),
    # voice (infrastructure)
    C("speech-recognition", "Speech Recognition", "voice", "voice-team", 2, PROD, 58,
      ("99.9", 400), "voice asr",
      "Streaming speech-to-text for search, customer service and the rider app.",
      (("Recognize", "grpc", "v1", "stable"), ("Recognize over HTTP", "openapi", "v1", "stable"))),
    C("text-to-speech", "Text to Speech", "voice", "voice-team", 3, PROD, 50, ("99.9", 300),
      "voice tts",
      "Natural voices for announcements, rider prompts and voice assistants.",
      (("Synthesize", "grpc", "v1", "stable"), ("Voices", "openapi", "v1", "stable"))),
    C("voice-call-center", "Outbound Voice Calls", "voice", "voice-team", 3, PROD, 44,
      ("99.9", 1000), "voice calls",
      "Automated outbound calls for delivery notices and verification.",
      (("Call task", "openapi", "v1", "stable"),
       ("Call result events", "asyncapi", "v1", "stable"))),
]

# Markdown descriptions; the others get a short one made from the summary.
DESCRIPTIONS: dict[str, str] = {
    "member-account": """\
Member Account is the one account a person has across Taobao, Tmall, Xianyu, Fliggy,
Ele.me, Hema and the newer businesses. A business never keeps its own user table: it
binds its users to a member id and asks Member Account for the rest.

What it offers:

- registration and login binding (phone, Taobao account, third-party logins);
- the member profile (nickname, avatar, addresses) and security settings;
- account events when a member registers, changes their profile or closes the account.

Reads are served from a regional cache; writes go to the primary region and replicate
within a second.
""",
    "order-center": """\
Order Center holds every order of every business in one model, so that after-sales,
settlement, invoicing and BI read orders the same way.

An order moves through `created -> paid -> shipped -> delivered -> closed`; each
transition is published on the *Order events* stream. Businesses extend an order with
their own attributes (a flight segment, a rider id) instead of forking the model.

Before adopting it:

1. register your business's order attributes with the Transaction Platform team;
2. subscribe to *Order events* v2 (v1 is deprecated and stops next quarter);
3. load-test against the staging cluster before a big sale.
""",
    "coupon-center": """\
Coupon Center issues, locks and redeems coupons for every business. It works closely with
Promotion Engine: a coupon's discount is a promotion rule, and a promotion can hand out
coupons. The two call each other, a known cycle that the architecture board is breaking
up by moving rule evaluation into Promotion Engine only.

- stock-limited and member-targeted coupons;
- lock at checkout, redeem on payment, release on cancel;
- coupon events for BI and marketing attribution.
""",
    "youku-membership": """\
Youku VIP is Youku's paid subscription. Its entitlement API is open to the other
businesses, which use it as a perk of their own memberships: 88VIP members on Taobao
get Youku VIP included.

- *VIP entitlement* grants and revokes VIP periods;
- *VIP entitlement check* answers whether a member is VIP right now;
- *VIP grant events* tell partners when a grant starts or ends.
""",
    "88vip-membership": """\
88VIP is the paid membership of the group: one subscription gives discounts on Taobao and
Tmall and perks from partner businesses (Youku VIP, Ele.me delivery vouchers, Fliggy hotel
upgrades).

The programme owns subscription and renewal; the perks themselves come from
Member Benefits, which turns them into vouchers and entitlements.
""",
    "product-center": """\
Product Center is the single source of truth for products. Every business lists through
it; nothing else stores SPUs or SKUs.

- SPU and SKU model with category attributes from *Category & Attributes*;
- publication state and listed prices (the price a buyer pays comes from Pricing Engine);
- *Product change events* for search, recommendation and BI.
""",
    "search-indexer": """\
Search Indexer keeps the product indices of the Search Engine fresh.

It currently reads product details straight from Product Center's query API, which makes
an infrastructure capability depend on a business-platform one. The plan is to index
from *Product change events* on the message queue instead, so that search no longer
knows about products.
""",
    "payment-gateway": """\
Payment Gateway is the only way to take money. It hides the payment channels (wallet,
cards through the Card Vault, bank transfer, local methods abroad) behind one API and
reports every result as an event.

- idempotent payment requests keyed by the business's order id;
- result events within a second of the channel's answer;
- the old Thrift interface is deprecated; use the v3 REST or v2 gRPC API.
""",
    "legacy-member-profile": """\
**Deprecated.** Use Member Account instead: it holds the same profile fields for every
business. This store only mirrors Member Account for the last readers and will be retired
once Customer Service IM has moved over.
""",
}


def _spec(text: str) -> str:
    return textwrap.dedent(text).strip() + "\n"


# Small OpenAPI 3 documents, by (capability slug, API name).
SPECS: dict[tuple[str, str], str] = {
    ("member-account", "Member account"): _spec("""\
        openapi: 3.0.3
        info: {title: Member account API, version: 2.4.0}
        paths:
          /members:
            post:
              summary: Register a member
              operationId: registerMember
              responses: {"201": {description: The new member}}
          /members/{memberId}:
            parameters:
              - {name: memberId, in: path, required: true, schema: {type: string}}
            get:
              summary: Read a member's account and profile
              operationId: getMember
              responses: {"200": {description: The member}, "404": {description: No such member}}
            patch:
              summary: Change profile fields
              operationId: updateMember
              responses: {"200": {description: The changed member}}
          /members/{memberId}/bindings:
            parameters:
              - {name: memberId, in: path, required: true, schema: {type: string}}
            get:
              summary: List the business accounts bound to a member
              operationId: listBindings
              responses: {"200": {description: The bindings}}
        """),
    ("88vip-membership", "88VIP subscription"): _spec("""\
        openapi: 3.0.3
        info: {title: 88VIP subscription API, version: 1.2.0}
        paths:
          /subscriptions:
            post:
              summary: Subscribe a member to 88VIP
              operationId: subscribe
              responses: {"201": {description: The subscription}}
          /subscriptions/{memberId}:
            parameters:
              - {name: memberId, in: path, required: true, schema: {type: string}}
            get:
              summary: Read a member's subscription and renewal date
              operationId: getSubscription
              responses: {"200": {description: The subscription}}
            delete:
              summary: Cancel auto-renewal
              operationId: cancelRenewal
              responses: {"204": {description: Renewal cancelled}}
        """),
    ("product-center", "Product"): _spec("""\
        openapi: 3.0.3
        info: {title: Product API, version: 2.7.0}
        paths:
          /products:
            get:
              summary: Search products by seller, category or state
              operationId: listProducts
              responses: {"200": {description: A page of products}}
            post:
              summary: Create a product with its SKUs
              operationId: createProduct
              responses: {"201": {description: The new product}}
          /products/{productId}:
            parameters:
              - {name: productId, in: path, required: true, schema: {type: string}}
            get:
              summary: Read a product and its SKUs
              operationId: getProduct
              responses: {"200": {description: The product}}
          /products/{productId}/publication:
            parameters:
              - {name: productId, in: path, required: true, schema: {type: string}}
            put:
              summary: Publish or unpublish a product
              operationId: setPublication
              responses: {"200": {description: The new publication state}}
        """),
    ("order-center", "Order"): _spec("""\
        openapi: 3.0.3
        info: {title: Order API, version: 2.11.0}
        paths:
          /orders:
            post:
              summary: Create an order
              operationId: createOrder
              responses: {"201": {description: The new order}}
          /orders/{orderId}:
            parameters:
              - {name: orderId, in: path, required: true, schema: {type: string}}
            get:
              summary: Read an order with its lines
              operationId: getOrder
              responses: {"200": {description: The order}, "404": {description: No such order}}
          /orders/{orderId}/cancel:
            parameters:
              - {name: orderId, in: path, required: true, schema: {type: string}}
            post:
              summary: Cancel an unpaid order
              operationId: cancelOrder
              responses: {"200": {description: The cancelled order}}
        """),
    ("coupon-center", "Coupon"): _spec("""\
        openapi: 3.0.3
        info: {title: Coupon API, version: 2.3.0}
        paths:
          /coupons/{templateId}/claims:
            parameters:
              - {name: templateId, in: path, required: true, schema: {type: string}}
            post:
              summary: Claim a coupon for a member
              operationId: claimCoupon
              responses: {"201": {description: The claimed coupon}}
          /members/{memberId}/coupons:
            parameters:
              - {name: memberId, in: path, required: true, schema: {type: string}}
            get:
              summary: List a member's usable coupons
              operationId: listMemberCoupons
              responses: {"200": {description: The coupons}}
        """),
    ("payment-gateway", "Payment"): _spec("""\
        openapi: 3.0.3
        info: {title: Payment API, version: 3.1.0}
        paths:
          /payments:
            post:
              summary: Start a payment for an order (idempotent by order id)
              operationId: createPayment
              responses: {"201": {description: The payment with its channel redirect}}
          /payments/{paymentId}:
            parameters:
              - {name: paymentId, in: path, required: true, schema: {type: string}}
            get:
              summary: Read a payment's state
              operationId: getPayment
              responses: {"200": {description: The payment}}
          /payments/{paymentId}/close:
            parameters:
              - {name: paymentId, in: path, required: true, schema: {type: string}}
            post:
              summary: Close an unpaid payment
              operationId: closePayment
              responses: {"200": {description: The closed payment}}
        """),
}

# Consumer -> its providers; a provider may carry a kind ("order-center:async").
# Without one the kind follows the provider: async for messaging, data for the
# data platform, otherwise sync. Two deliberate flaws for governance to find:
# coupon-center <-> promotion-engine is a cycle, and search-indexer
# (infrastructure) -> product-center (business platform) breaks the layering.
DEPENDENCIES: dict[str, str] = {
    "taobao-app-gateway": "member-account member-level 88vip-membership product-center cart "
                          "checkout order-center coupon-center search-engine search-suggest "
                          "recall-service ranking-serving ab-experiment",
    "tmall-mini-program-bff": "member-account product-center cart checkout order-center "
                              "store-center promotion-engine",
    "eleme-delivery-app-bff": "member-account local-store-locator cart checkout order-center "
                              "fulfilment-routing red-envelope push-notification",
    "lingxi-social-feed": "member-account product-center group-buying recall-service",
    "member-account": "identity-graph sms-gateway message-queue distributed-cache config-center",
    "member-level": "member-account order-center:async message-queue distributed-cache",
    "88vip-membership": "member-account member-level member-benefits payment-gateway "
                        "account-ledger message-queue",
    "youku-membership": "member-account payment-gateway message-queue distributed-cache",
    "points-center": "member-account account-ledger order-center:async message-queue "
                     "distributed-cache",
    "member-benefits": "member-account points-center coupon-center youku-membership "
                       "config-center",
    "real-name-verification": "member-account sms-gateway object-storage",
    "legacy-member-profile": "member-account:async distributed-cache",
    "product-center": "product-category product-media message-queue distributed-cache "
                      "config-center",
    "product-category": "distributed-cache config-center",
    "inventory-center": "product-center message-queue distributed-cache",
    "product-review": "member-account product-center order-center image-moderation "
                      "message-queue",
    "product-media": "object-storage image-processing image-cdn image-moderation",
    "listing-compliance": "product-center product-category image-moderation event-bus",
    "legacy-sku-mapping": "product-center:data",
    "cart": "member-account product-center inventory-center pricing-engine distributed-cache",
    "checkout": "cart pricing-engine order-center inventory-center trade-risk-control "
                "real-name-verification tax-calculation payment-gateway",
    "order-center": "member-account product-center inventory-center account-ledger "
                    "payment-gateway message-queue event-bus distributed-cache",
    "pricing-engine": "product-center promotion-engine coupon-center member-level "
                      "88vip-membership distributed-cache config-center",
    "after-sales": "order-center fulfilment-routing customer-service-im account-ledger "
                   "refund-gateway message-queue",
    "fulfilment-routing": "order-center inventory-center local-store-locator message-queue "
                          "voice-call-center",
    "trade-risk-control": "member-account identity-graph user-profile-tags distributed-cache "
                          "config-center",
    "presale-orders": "order-center pricing-engine inventory-center legacy-promotion-rules "
                      "payment-gateway",
    "secondhand-escrow": "order-center real-name-verification account-ledger payment-gateway",
    "coupon-center": "member-account member-level promotion-engine trade-risk-control "
                     "message-queue distributed-cache",
    "promotion-engine": "product-center coupon-center distributed-cache config-center",
    "campaign-management": "promotion-engine coupon-center store-center product-center "
                           "audience-segmentation",
    "red-envelope": "member-account account-ledger trade-risk-control message-queue",
    "group-buying": "member-account order-center pricing-engine push-notification",
    "livestream-commerce": "product-center coupon-center order-center store-center "
                           "push-notification",
    "marketing-reach": "audience-segmentation consent-registry push-notification sms-gateway",
    "legacy-promotion-rules": "product-category distributed-cache",
    "store-center": "member-account real-name-verification object-storage message-queue",
    "merchant-onboarding": "store-center real-name-verification e-invoicing image-moderation",
    "store-decoration": "store-center product-center image-processing image-cdn",
    "customer-service-im": "member-account legacy-member-profile order-center store-center "
                           "speech-recognition message-queue",
    "local-store-locator": "store-center distributed-cache",
    "account-ledger": "message-queue distributed-cache",
    "e-invoicing": "order-center tax-calculation account-ledger",
    "tax-calculation": "fx-rates product-category",
    "credit-pay": "member-account real-name-verification account-ledger user-profile-tags "
                  "payment-gateway",
    "merchant-wallet": "store-center account-ledger payment-gateway",
    "fx-rates": "distributed-cache",
    "settlement-engine": "order-center after-sales commission-calculation account-ledger "
                         "merchant-wallet message-queue",
    "reconciliation": "settlement-engine account-ledger payment-gateway batch-compute:data",
    "commission-calculation": "product-category campaign-management store-center",
    "payout-scheduler": "settlement-engine merchant-wallet payment-gateway",
    "cross-border-settlement": "settlement-engine fx-rates tax-calculation "
                               "cross-border-acquiring",
    "user-profile-tags": "identity-graph batch-compute:data message-queue distributed-cache",
    "audience-segmentation": "user-profile-tags batch-compute:data",
    "identity-graph": "batch-compute:data distributed-cache",
    "realtime-user-features": "identity-graph event-bus distributed-cache",
    "consent-registry": "identity-graph distributed-cache",
    "recommendation-feature-store": "user-profile-tags item-embeddings batch-compute:data "
                                    "distributed-cache",
    "item-embeddings": "batch-compute:data object-storage:data",
    "recall-service": "recommendation-feature-store:sync item-embeddings:sync search-engine",
    "ranking-serving": "recommendation-feature-store:sync container-platform",
    "ab-experiment": "config-center batch-compute:data",
    "trade-bi-dataset": "batch-compute:data data-quality-monitor",
    "metrics-layer": "trade-bi-dataset marketing-attribution batch-compute:data",
    "merchant-analytics": "trade-bi-dataset metrics-layer batch-compute:data",
    "marketing-attribution": "trade-bi-dataset batch-compute:data",
    "data-quality-monitor": "batch-compute:data push-notification",
    "legacy-report-export": "trade-bi-dataset batch-compute:data object-storage",
    "search-engine": "container-platform distributed-cache object-storage",
    "search-indexer": "search-engine product-center message-queue batch-compute:data",
    "query-understanding": "container-platform distributed-cache",
    "search-suggest": "search-engine query-understanding distributed-cache",
    "message-queue": "container-platform",
    "event-bus": "message-queue container-platform",
    "push-notification": "message-queue config-center",
    "sms-gateway": "message-queue config-center",
    "payment-gateway": "card-vault message-queue distributed-cache config-center",
    "card-vault": "container-platform",
    "refund-gateway": "payment-gateway message-queue",
    "cross-border-acquiring": "payment-gateway card-vault",
    "container-platform": "object-storage",
    "distributed-cache": "container-platform",
    "config-center": "container-platform",
    "batch-compute": "container-platform object-storage",
    "observability": "container-platform object-storage message-queue",
    "image-processing": "object-storage image-cdn container-platform",
    "image-moderation": "image-processing container-platform",
    "image-cdn": "object-storage",
    "speech-recognition": "container-platform object-storage",
    "text-to-speech": "container-platform",
    "voice-call-center": "text-to-speech speech-recognition sms-gateway",
}


class AdoptionRow(NamedTuple):
    business: str
    capability: str
    since: int  # months before today
    purpose: str
    until: int | None = None  # months before today


A = AdoptionRow
ADOPTIONS: list[AdoptionRow] = [
    A("taobao", "member-account", 36, "Buyer accounts and login in the Taobao app"),
    A("taobao", "member-level", 33, "Shows the buyer's member level on every page"),
    A("taobao", "88vip-membership", 28, "Sells and renews 88VIP in the Taobao app"),
    A("taobao", "youku-membership", 20, "Youku VIP as a Taobao 88VIP marketing perk"),
    A("taobao", "points-center", 26, "Taobao coins earned and spent at checkout"),
    A("taobao", "product-center", 36, "Every listing shown in the Taobao app"),
    A("taobao", "product-review", 24, "Reviews and Q&A on item pages"),
    A("taobao", "cart", 36, "The Taobao cart"),
    A("taobao", "checkout", 36, "Taobao checkout"),
    A("taobao", "order-center", 36, "Taobao orders"),
    A("taobao", "pricing-engine", 22, "Final prices on item and cart pages"),
    A("taobao", "presale-orders", 18, "Double 11 deposit pre-sales"),
    A("taobao", "after-sales", 25, "Returns and refunds for Taobao orders"),
    A("taobao", "coupon-center", 30, "Store and platform coupons"),
    A("taobao", "promotion-engine", 21, "Cross-store spend-and-save during big sales"),
    A("taobao", "red-envelope", 15, "Double 11 red envelope rain"),
    A("taobao", "livestream-commerce", 16, "Taobao Live shopping"),
    A("taobao", "campaign-management", 19, "618 and Double 11 campaign venues"),
    A("taobao", "search-engine", 36, "Taobao main search"),
    A("taobao", "recall-service", 17, "The 'guess you like' home feed"),
    A("taobao", "ab-experiment", 12, "Experiments on the home feed"),
    A("taobao", "customer-service-im", 27, "Buyer-seller chat"),
    A("taobao", "credit-pay", 10, "Instalments at checkout"),
    A("taobao", "payment-gateway", 36, "Payments for Taobao orders"),
    A("tmall", "member-account", 36, "Buyer accounts shared with Taobao"),
    A("tmall", "member-level", 32, "Member prices in brand stores"),
    A("tmall", "88vip-membership", 28, "88VIP discounts in brand flagship stores"),
    A("tmall", "product-center", 36, "Brand listings"),
    A("tmall", "inventory-center", 36, "Brand stock for flagship stores"),
    A("tmall", "cart", 36, "The Tmall cart"),
    A("tmall", "checkout", 36, "Tmall checkout"),
    A("tmall", "order-center", 36, "Tmall orders"),
    A("tmall", "pricing-engine", 24, "Brand-store prices with member discounts"),
    A("tmall", "presale-orders", 20, "Double 11 deposit pre-sales for brands"),
    A("tmall", "coupon-center", 30, "Brand coupons"),
    A("tmall", "promotion-engine", 26, "Brand promotions and bundles"),
    A("tmall", "legacy-promotion-rules", 36, "Old brand-store promotions not yet migrated"),
    A("tmall", "campaign-management", 22, "Tmall Super Brand Day campaigns"),
    A("tmall", "store-center", 36, "Flagship store profiles"),
    A("tmall", "store-decoration", 25, "Brand flagship store pages"),
    A("tmall", "e-invoicing", 18, "VAT invoices for brand orders"),
    A("tmall", "settlement-engine", 36, "Brand settlement"),
    A("tmall", "merchant-analytics", 14, "Analytics for brand flagship stores"),
    A("tmall", "search-engine", 36, "Tmall search"),
    A("tmall", "legacy-sku-mapping", 36, "Old Tmall SKU ids on brand pages", until=30),
    A("xianyu", "member-account", 36, "Second-hand buyer and seller accounts"),
    A("xianyu", "real-name-verification", 34, "Verified sellers"),
    A("xianyu", "product-center", 30, "Second-hand listings"),
    A("xianyu", "order-center", 36, "Second-hand orders"),
    A("xianyu", "payment-gateway", 36, "Payments between members"),
    A("xianyu", "customer-service-im", 22, "Chat between buyer and seller about an item"),
    A("xianyu", "search-engine", 28, "Second-hand search"),
    A("xianyu", "image-moderation", 20, "Screens photos of second-hand items"),
    A("xianyu", "credit-pay", 10, "Pay after inspecting the item"),
    A("xianyu", "fulfilment-routing", 14, "Door-to-door pick-up of sold items"),
    A("youku", "member-account", 36, "Youku accounts linked to the Taobao account"),
    A("youku", "youku-membership", 36, "Sells Youku VIP in the Youku apps"),
    A("youku", "88vip-membership", 24, "Unlocks Youku VIP for 88VIP members"),
    A("youku", "payment-gateway", 36, "VIP subscription payments"),
    A("youku", "recommendation-feature-store", 20, "Video recommendations"),
    A("youku", "ab-experiment", 16, "Experiments on the video feed"),
    A("youku", "push-notification", 30, "New-episode alerts"),
    A("youku", "marketing-reach", 12, "Win-back campaigns for lapsed VIPs"),
    A("youku", "speech-recognition", 8, "Voice search on TV apps"),
    A("fliggy", "member-account", 36, "Traveller accounts"),
    A("fliggy", "88vip-membership", 24, "Hotel upgrades for 88VIP members"),
    A("fliggy", "real-name-verification", 36, "Passenger identity for tickets"),
    A("fliggy", "order-center", 36, "Flight and hotel orders"),
    A("fliggy", "after-sales", 30, "Ticket changes and refunds"),
    A("fliggy", "payment-gateway", 36, "Travel payments"),
    A("fliggy", "fx-rates", 36, "Prices in the traveller's currency"),
    A("fliggy", "tax-calculation", 30, "Taxes on overseas hotels"),
    A("fliggy", "coupon-center", 20, "Travel vouchers"),
    A("fliggy", "e-invoicing", 18, "Itinerary invoices"),
    A("fliggy", "credit-pay", 14, "Instalments for holidays"),
    A("eleme", "member-account", 36, "Diner accounts"),
    A("eleme", "local-store-locator", 36, "Restaurants that deliver to an address"),
    A("eleme", "cart", 28, "The Ele.me cart"),
    A("eleme", "checkout", 28, "Ele.me checkout"),
    A("eleme", "order-center", 36, "Delivery orders"),
    A("eleme", "fulfilment-routing", 32, "Rider dispatch"),
    A("eleme", "red-envelope", 26, "Meal red envelopes"),
    A("eleme", "coupon-center", 24, "Restaurant coupons"),
    A("eleme", "payment-gateway", 36, "Delivery order payments"),
    A("eleme", "voice-call-center", 14, "Calls when the rider arrives"),
    A("eleme", "text-to-speech", 10, "Voice prompts in the rider app"),
    A("eleme", "settlement-engine", 22, "Restaurant settlement"),
    A("hema", "member-account", 36, "Shopper accounts, online and in store"),
    A("hema", "product-center", 28, "Fresh products online and in store"),
    A("hema", "inventory-center", 34, "Store stock for 30-minute delivery"),
    A("hema", "local-store-locator", 24, "Which store serves an address"),
    A("hema", "order-center", 36, "App and in-store orders"),
    A("hema", "fulfilment-routing", 30, "Picking and 30-minute delivery"),
    A("hema", "points-center", 18, "Hema points shared with Taobao"),
    A("hema", "coupon-center", 20, "Fresh-food coupons"),
    A("hema", "payment-gateway", 36, "App and self-checkout payments"),
    A("hema", "trade-bi-dataset", 12, "Daily store sales reports"),
    A("lingxi", "member-account", 8, "Sign in with a Taobao account"),
    A("lingxi", "product-center", 6, "Shoppable items in posts"),
    A("lingxi", "recall-service", 4, "Candidates for the social feed"),
]

# -- the demo deliveries ----------------------------------------------------------

# Three years of business features, generated with a fixed seed. The story they
# tell: as businesses adopt more of the platform, each feature reuses more
# capabilities and ships faster (median lead time falls from about 90 days to
# about 20), except Fliggy, which kept building its own and stayed slow.
DELIVERY_RANDOM_SEED = 2025
DELIVERY_DAYS = 3 * 365 + 1  # the demo's delivery history, up to today
DELIVERY_LEAD_IN = 150  # requests start this many days earlier, so the first quarter is whole
#: Deliveries per quarter of each business (Lingxi: since its first adoption).
DELIVERY_RATES: dict[str, int] = {"taobao": 12, "tmall": 10, "xianyu": 7, "youku": 6,
                                  "fliggy": 7, "eleme": 8, "hema": 7, "lingxi": 4}
#: The business that kept building its own: it reuses (almost) nothing and stays slow.
SLOW_BUSINESS = "fliggy"
DELIVERY_FEATURES = (
    "Gift cards at checkout", "Member-day flash sale", "Faster refunds", "Group-buy invites",
    "Coupon wallet redesign", "Instalments for big baskets", "Live-stream coupons",
    "Order tracking map", "New-user welcome pack", "Points for reviews", "Holiday campaign venue",
    "Cross-store spend-and-save", "Invoice download", "Price protection", "Buy-again shortcuts",
    "VIP perks page", "Seller chat bot", "Photo search", "Delivery time slots",
    "Real-name check for high-value orders", "Personalised home feed", "Push for back-in-stock",
    "Store membership cards", "Pre-sale deposits", "Family account sharing",
    "Overseas currency display", "Red envelope rain", "One-tap reorder", "Returns pick-up",
    "Merchant settlement report", "Bundle pricing", "Voice search", "Abandoned-cart reminders",
    "Loyalty tier badges", "Trade-in offers", "Gift wrapping option",
)
DELIVERY_SOURCES = (("csv", 70), ("form", 20), ("api", 10))


def reuse_count(rng: random.Random, progress: float, *, slow: bool = False) -> int:
    """Return how many capabilities a generated delivery reuses, ``progress`` from 0 to 1.

    Poisson distributed, with a mean growing from 0.1 three years ago to about
    5.3 today; the slow business reuses one capability in one delivery of eight.
    """
    if slow:
        return 1 if rng.random() < 0.12 else 0
    mean = 0.1 + 5.2 * min(max(progress, 0.0), 1.0) ** 1.4
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def lead_time(rng: random.Random, reused: int, *, slow: bool = False) -> int:
    """Return the lead time in days of a generated delivery that reused ``reused`` capabilities.

    About 98 days with nothing reused, 25 with three and 14 with five, times
    log-normal noise; about 90 days whatever happens for the slow business.
    """
    if slow:
        days = 90 * rng.lognormvariate(0, 0.12)
    else:
        days = (8 + 90 * math.exp(-0.55 * reused)) * rng.lognormvariate(0, 0.3)
    return max(2, round(days))


# -- generated catalogs -------------------------------------------------------

SCALE_RANDOM_SEED = 42
SCALE_HUBS = 20
SCALE_CYCLES_PER = 500  # one dependency turned back on itself per this many capabilities
SCALE_CYCLE_SPAN = 20  # ... between capabilities at most this far apart in the order
SCALE_BREAKS_PER = 1000  # one layering break per this many capabilities
# Share of generated capabilities per layer, deepest first (providers before consumers).
SCALE_LAYERS: list[tuple[str, float]] = [
    ("infrastructure", 0.25), ("data-platform", 0.2), ("business-platform", 0.5),
    ("frontend", 0.05),
]
SCALE_SUBJECTS: dict[str, tuple[str, ...]] = {
    "storefronts": ("App", "Mini-Program", "Web", "Kiosk"),
    "membership": ("Member", "Loyalty", "Points", "VIP", "Benefit"),
    "product": ("Product", "SKU", "Category", "Listing", "Stock"),
    "transaction": ("Order", "Cart", "Checkout", "Refund", "Trade"),
    "marketing": ("Coupon", "Promotion", "Campaign", "Reward", "Reach"),
    "store": ("Store", "Merchant", "Shopfront", "Service"),
    "finance": ("Ledger", "Invoice", "Tax", "Credit", "Wallet"),
    "settlement": ("Settlement", "Payout", "Commission", "Clearing"),
    "user-profile": ("Profile", "Audience", "Identity", "Consent"),
    "recommendation": ("Feature", "Embedding", "Recall", "Ranking"),
    "bi": ("Dataset", "Metric", "Report", "Attribution"),
    "search": ("Search", "Index", "Query", "Suggest"),
    "messaging": ("Queue", "Event", "Push", "SMS"),
    "payment-gateway": ("Payment", "Card", "Acquiring", "Refund"),
    "compute": ("Container", "Cache", "Config", "Storage", "Batch"),
    "image": ("Image", "Thumbnail", "Media"),
    "voice": ("Speech", "Voice", "Call"),
}
SCALE_NOUNS = ("Pricing", "Routing", "Profile", "Ledger", "Index", "Feed", "Rules", "Sync",
               "Quota", "Audit", "Lookup", "Matching", "Scoring", "Archive", "Schedule")
SCALE_KINDS = ("Engine", "Service", "Gateway", "Center", "Hub", "Store", "Pipeline", "Adapter")
SCALE_TAGS = ("core", "realtime", "batch", "pii", "pci", "mobile", "web", "b2b", "b2c",
              "cross-border", "local-services", "events", "analytics", "ml", "compliance",
              "legacy", "high-traffic", "double-11", "internal", "public", "beta-program",
              "cost-sensitive", "multi-region", "self-service")
SCALE_API_KINDS = (("openapi", 50), ("grpc", 25), ("asyncapi", 15), ("graphql", 7), ("thrift", 3))
SCALE_API_LABELS = {"openapi": "REST API", "grpc": "gRPC service", "asyncapi": "events",
                    "graphql": "GraphQL API", "thrift": "Thrift service"}
SCALE_LIFECYCLES = ((PROD, 80), (APPROVED, 6), (PROPOSED, 6), (DEPRECATED, 6), (RETIRED, 2))
SCALE_BACKSTAGE_LIFECYCLES = {PROD: "production", APPROVED: "experimental",
                              PROPOSED: "experimental", DEPRECATED: "deprecated",
                              RETIRED: "deprecated"}
SCALE_API_LIFECYCLES = {"stable": "production", "beta": "experimental",
                        "deprecated": "deprecated"}


# -- public interface ---------------------------------------------------------


def catalog_is_empty() -> bool:
    """Return True when the catalog has no capabilities."""
    return db.session.scalar(sa.select(Capability.id).limit(1)) is None


def seed_demo() -> str:
    """Tell the demo's three years of history through the catalog services, in one transaction.

    Every team, capability, dependency, adoption and delivery is written by
    the service a user's form or the importer would call, with the catalog's
    clock set to the moment it happened (:func:`catalog.models._time.clock_at`):
    the shared platform registered :data:`HISTORY_MONTHS` months ago, new
    capabilities proposed, approved and launched since, business-built ones
    handed to platform teams, duplicated builds deprecated and retired, and
    businesses adopting more and more of the platform. So history, the
    changes feed and the catalog as of any date tell that story.

    Returns
    -------
    str
        A one-line report of what was created.

    Raises
    ------
    ValidationFailed
        The catalog already has capabilities; nothing is written.
    """
    return _in_one_transaction(_build_demo)


def seed_scale(n: int, deliveries: int | None = None) -> str:
    """Generate ``n`` capabilities (with APIs, dependencies, adoptions) for benchmarks.

    The organisation is the demo's; the catalog is random but the same for the
    same ``n``, written as Backstage descriptors and imported by the Backstage
    importer. ``deliveries`` business deliveries are added (default ``5 * n``:
    50,000 for 10,000 capabilities) over the last three years through the
    deliveries CSV importer, reusing the capabilities their business adopts.

    Raises
    ------
    ValidationFailed
        The catalog already has capabilities; nothing is written.
    """
    return _in_one_transaction(lambda: _build_scale(n, 5 * n if deliveries is None else deliveries))


# -- shared steps -------------------------------------------------------------


def _in_one_transaction(build: Callable[[], str]) -> str:
    """Refuse a non-empty catalog, run ``build`` as the seed, and commit once (or roll back)."""
    if not catalog_is_empty():
        raise ValidationFailed({"catalog": [NOT_EMPTY]})
    with history.provenance("seed"), transaction():
        return build()


def _add_organisation(*, skip: frozenset[str] = frozenset()) -> None:
    """Save the demo teams, domains and businesses through the services.

    Those in ``skip`` and those that already exist (a team made before the
    demo) are left as they are.
    """
    for model, rows, save in (
        (Team, [{"slug": slug, "name": name, "kind": kind, "contact": f"{slug}@example.com",
                 "description": description} for slug, name, kind, description in TEAMS],
         organisation.save_team),
        (Domain, [{"slug": slug, "name": name, "layer": layer, "description": description}
                  for slug, name, layer, description in DOMAINS], organisation.save_domain),
        (Business, [{"slug": slug, "name": name, "status": status, "team": team,
                     "description": description}
                    for slug, name, status, team, description in BUSINESSES if slug not in skip],
         organisation.save_business),
    ):
        existing = lookups.by_slugs(model, [row["slug"] for row in rows])
        for row in rows:
            if row["slug"] not in existing:
                save(row, None)


def _report(counts: dict[str, int]) -> str:
    return "Seeded " + ", ".join(f"{count} {what}" for what, count in counts.items()) + "."


def _months_before(day: dt.date, months: int) -> dt.date:
    return day - dt.timedelta(days=round(months * 30.44))


# -- the demo -----------------------------------------------------------------

#: The demo's recorded history starts this many months ago: the shared platform
#: as it stood then is registered at once, and everything after is replayed.
HISTORY_MONTHS = 38
#: A capability launched within the history was proposed, then approved, this
#: many months before its launch.
PROPOSED_BEFORE_LAUNCH, APPROVED_BEFORE_LAUNCH = 3, 1
#: Capabilities still being built: registered (and approved) this many months ago.
PENDING_SINCE = {PROPOSED: (2, None), APPROVED: (7, 4)}
#: A retired capability was retired this many months after its deprecation.
RETIRED_AFTER = 6
#: Capabilities a business built and handed to a platform team:
#: (months ago, slug, the business team that built it).
HANDOVERS: list[tuple[int, str, str]] = [
    (28, "88vip-membership", "taobao-team"),
    (20, "points-center", "marketing-team"),
    (14, "red-envelope", "taobao-team"),
]
#: Lingxi, the incubating business, is created when its incubation starts.
INCUBATING = frozenset({"lingxi"})


class _Story:
    """Dated steps of the demo, told in order with the clock set to each moment."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        self.steps: list[tuple[dt.datetime, int, Callable[[], Any]]] = []

    def at(self, months: float | dt.date, step: Callable[[], Any], *, hour: int = 9) -> None:
        """Add ``step`` on the day ``months`` before today (or on that date)."""
        day = months if isinstance(months, dt.date) else _months_before(self.day, months)
        moment = dt.datetime.combine(min(day, self.day), dt.time(hour))
        self.steps.append((moment, len(self.steps), step))

    def tell(self) -> None:
        now = utcnow()
        for moment, order, step in sorted(self.steps, key=lambda s: (s[0], s[1])):
            # Steps of one moment are a second apart, so history keeps their order.
            with clock_at(min(moment + dt.timedelta(seconds=order % 3600), now)):
                step()


def _build_demo() -> str:
    day = today()
    story = _Story(day)
    start = HISTORY_MONTHS
    story.at(start, lambda: _add_organisation(skip=INCUBATING), hour=8)
    users = []
    story.at(start, lambda: users.append(_demo_users()), hour=8)
    registered: dict[str, float] = {}
    for row in CAPABILITIES:
        registered[row.slug] = _plan_capability(story, row, start)
    dependencies = _plan_dependencies(story, registered)
    _plan_adoptions(story, registered)
    first_lingxi = max(row.since for row in ADOPTIONS if row.business in INCUBATING) + 1
    for slug, name, status, team, description in BUSINESSES:
        if slug in INCUBATING:
            story.at(first_lingxi, lambda s=slug, n=name, st=status, t=team, d=description:
                     organisation.save_business({"slug": s, "name": n, "status": st,
                                                 "team": t, "description": d}, None), hour=8)
    story.tell()
    demo_governance.seed_governance()
    seed_governance.add_governance_demo()
    deliveries = _record_deliveries(day)
    seed_incubation()
    counts = {
        "capabilities": len(CAPABILITIES),
        "APIs": sum(len(row.apis) for row in CAPABILITIES),
        "dependencies": dependencies,
        "adoptions": len(ADOPTIONS),
        "businesses": len(BUSINESSES),
        "teams": len(TEAMS),
        "users": users[0],
    }
    open_count = sum(1 for _, _, row in deliveries if not row["delivered_on"])
    changes = db.session.scalar(sa.select(sa.func.count()).select_from(Change))
    return (f"{_report(counts)} Recorded {len(deliveries)} deliveries ({open_count} open) "
            f"and {changes:,} changes over {HISTORY_MONTHS} months of history.")


def _plan_capability(story: _Story, row: CapabilityRow, start: int) -> float:
    """Plan a capability's life: registration, lifecycle moves, handover; return when registered."""
    handover = next(((months, team) for months, slug, team in HANDOVERS if slug == row.slug),
                    None)
    first_team = handover[1] if handover else row.team
    data = _demo_capability_data(row, first_team)
    moves: list[tuple[float, dict[str, Any]]] = []
    if row.launched is None:
        registered, approved = PENDING_SINCE[row.lifecycle]
        data["lifecycle"] = PROPOSED
        if approved is not None:
            moves.append((approved, {"lifecycle": APPROVED}))
    elif row.launched >= start:
        registered = start
        data.update(lifecycle=PROD, launched_on=_months_before(story.day, row.launched))
    else:
        registered = min(row.launched + PROPOSED_BEFORE_LAUNCH, start)
        data["lifecycle"] = PROPOSED
        moves.append((min(row.launched + APPROVED_BEFORE_LAUNCH, start), {"lifecycle": APPROVED}))
        moves.append((row.launched, {"lifecycle": PROD}))
    if row.deprecated is not None:
        moves.append((row.deprecated, {"lifecycle": DEPRECATED}))
        if row.lifecycle == RETIRED:
            moves.append((row.deprecated - RETIRED_AFTER, {"lifecycle": RETIRED}))
    if handover is not None:
        moves.append((handover[0], {"team": row.team}))
    story.at(registered, lambda: capability_service.register_capability(data, None), hour=10)
    for months, change in moves:
        story.at(months, lambda c=change: _update(row.slug, c), hour=11)
    return registered


def _plan_dependencies(story: _Story, registered: dict[str, float]) -> int:
    """Add dependencies once both ends are registered, a consumer's new ones at once."""
    due: dict[tuple[float, str], list[dict[str, str]]] = {}
    for consumer, providers in DEPENDENCIES.items():
        for provider, kind in _parse_providers(providers):
            months = min(registered[consumer], registered[provider])
            due.setdefault((months, consumer), []).append(
                {"provider": provider, "kind": kind or _dependency_kind(provider)})
    for (months, consumer), rows in due.items():
        story.at(months, lambda c=consumer, r=rows: _add_dependencies(c, r), hour=12)
    return sum(len(rows) for rows in due.values())


def _add_dependencies(slug: str, rows: list[dict[str, str]]) -> None:
    capability = capability_service.get_capability(slug)
    kept = [{"provider": dep.provider.slug, "kind": dep.kind,
             "api": dep.api.name if dep.api else ""} for dep in capability.dependencies]
    capability_service.update_capability(capability, {"dependencies": kept + rows}, None)


def _plan_adoptions(story: _Story, registered: dict[str, float]) -> None:
    """Each business adopts on its day (not before the capability is registered)."""
    for row in ADOPTIONS:
        # Recorded once the capability is in the catalog, dated as it happened.
        story.at(min(row.since, registered[row.capability]), lambda r=row: adoptions.adopt({
            "business": r.business, "capability": r.capability, "purpose": r.purpose,
            "since": _months_before(story.day, r.since)}, None), hour=13)
        if row.until is not None:
            story.at(row.until, lambda r=row: adoptions.end_adoption(
                (r.business, r.capability), _months_before(story.day, r.until)), hour=13)


def _update(slug: str, change: dict[str, Any]) -> None:
    capability_service.update_capability(capability_service.get_capability(slug), change,
                                         None)


def _demo_capability_data(row: CapabilityRow, team: str) -> dict[str, Any]:
    """Return the registration form of a demo capability, as a team would fill it in."""
    team_name = next(name for slug, name, _, _ in TEAMS if slug == row.team)
    docs_url = f"https://docs.example.com/capabilities/{row.slug}"
    return {
        "slug": row.slug, "name": row.name, "summary": row.summary,
        "description": DESCRIPTIONS.get(row.slug)
        or f"{row.summary}\n\n**Adopting it:** read the [documentation]({docs_url}) and ask "
           f"the {team_name} team ({row.team}@example.com) for access.\n",
        "domain": row.domain, "team": team, "tier": row.tier, "docs_url": docs_url,
        "repo_url": f"https://git.example.com/{row.team}/{row.slug}",
        "sla_availability": row.sla[0] if row.sla else None,
        "sla_p99_ms": row.sla[1] if row.sla else None,
        "tags": row.tags.split(),
        "apis": [{"name": name, "kind": kind, "version": version, "status": status,
                  "spec": SPECS.get((row.slug, name), "")}
                 for name, kind, version, status in row.apis],
        "dependencies": [],
    }


def _parse_providers(providers: str) -> list[tuple[str, str | None]]:
    """Split ``"a b:async"`` into ``[("a", None), ("b", "async")]``."""
    parsed = []
    for item in providers.split():
        slug, _, kind = item.partition(":")
        parsed.append((slug, kind or None))
    return parsed


def _dependency_kind(provider: str) -> str:
    """Events for the messaging domain, data for the data platform, calls otherwise."""
    domain = next(row.domain for row in CAPABILITIES if row.slug == provider)
    layer = next(layer for slug, _, layer, _ in DOMAINS if slug == domain)
    if domain == "messaging":
        return "async"
    return "data" if layer == "data-platform" else "sync"


def _demo_users() -> int:
    """Create the demo logins through the accounts service (keeping usernames taken); count them."""
    taken = set(db.session.scalars(sa.select(User.username)))
    created = 0
    for username, password, role, team in DEMO_LOGINS:
        if username in taken:
            continue
        created += 1
        accounts.create_user(username, password, role=role, team=team,
                             display_name=DEMO_DISPLAY_NAMES[username],
                             email=f"{username}@example.com")
    return created


def _record_deliveries(day: dt.date) -> list[tuple[str, dt.date, dict[str, Any]]]:
    """Record the generated deliveries as they happened: forms, API calls and quarterly CSVs.

    Returns the deliveries, each as ``(source, recorded on, row)``.
    """
    deliveries = _demo_deliveries(day)
    batches: dict[dt.date, list[dict[str, Any]]] = {}
    for source, recorded, row in deliveries:
        if source == "csv":
            quarter_end = _quarter_end(recorded)
            batches.setdefault(min(quarter_end, day), []).append(row)
            continue
        with clock_at(min(dt.datetime.combine(recorded, dt.time(15)), utcnow())):
            deliveries_service.record_delivery(
                {**row, "capabilities": row["capabilities"].split(";") if row["capabilities"]
                 else []}, None, source=source)
    for recorded, rows in sorted(batches.items()):
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=deliveries_service.CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        with clock_at(min(dt.datetime.combine(recorded, dt.time(17)), utcnow())):
            report = deliveries_service.import_deliveries_csv(
                out.getvalue(), name=f"deliveries-{recorded.isoformat()}.csv")
        if not report.ok:
            raise report.as_error()
    return deliveries


def _quarter_end(day: dt.date) -> dt.date:
    month = (day.month - 1) // 3 * 3 + 3
    following = dt.date(day.year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _demo_deliveries(day: dt.date) -> list[tuple[str, dt.date, dict[str, Any]]]:
    """Generate the demo's deliveries; each reuses capabilities its business had adopted.

    Returns ``(source, day it is recorded, CSV row)`` for each: delivered ones
    are recorded on their delivery day, open ones on their request day.
    """
    rng = random.Random(DELIVERY_RANDOM_SEED)
    start = day - dt.timedelta(days=DELIVERY_DAYS)
    adopted: dict[str, list[AdoptionRow]] = {}
    for row in ADOPTIONS:
        adopted.setdefault(row.business, []).append(row)
    deliveries = []
    for slug in sorted(DELIVERY_RATES):
        own = [(a.capability, _months_before(day, a.since),
                _months_before(day, a.until) if a.until is not None else None)
               for a in adopted.get(slug, [])]
        first = min(since for _, since, _ in own) if slug in INCUBATING else (
            start - dt.timedelta(days=DELIVERY_LEAD_IN))
        span = (day - first).days - 5
        slow = slug == SLOW_BUSINESS
        for i in range(round(DELIVERY_RATES[slug] * span / 91.3)):
            requested = first + dt.timedelta(days=rng.randint(0, span))
            available = [capability for capability, since, until in own
                         if since <= requested and (until is None or until > requested)]
            reused = min(reuse_count(rng, (requested - start).days / DELIVERY_DAYS, slow=slow),
                         len(available))
            delivered = requested + dt.timedelta(days=lead_time(rng, reused, slow=slow))
            title = rng.choice(DELIVERY_FEATURES)
            source = _weighted(rng, DELIVERY_SOURCES)
            chosen = rng.sample(available, reused)
            if delivered < start:
                continue  # before the demo's history
            done = delivered <= day
            deliveries.append((source, delivered if done else requested, {
                "business": slug, "title": title, "requested_on": requested.isoformat(),
                "delivered_on": delivered.isoformat() if done else "",
                "capabilities": ";".join(chosen), "external_ref": f"{slug.upper()}-{1001 + i}",
            }))
    return deliveries


# -- generated catalogs -------------------------------------------------------


class _ScaleBuilder:
    """A generated catalog as Backstage descriptors, made in topological order (providers first)."""

    def __init__(self, n: int, rng: random.Random) -> None:
        self.n = n
        self.rng = rng
        self.day = today()
        self.digits = max(4, len(str(n)))
        owners: dict[str, list[str]] = {}
        for row in CAPABILITIES:
            owners.setdefault(row.domain, []).append(row.team)
        self.teams = {domain: sorted(set(teams)) for domain, teams in owners.items()}
        self.domains_by_layer: dict[str, list[tuple[str, str]]] = {}
        for slug, name, layer, _ in DOMAINS:
            if slug in SCALE_SUBJECTS:
                self.domains_by_layer.setdefault(layer, []).append((slug, name))
        self.businesses = [slug for slug, *_ in BUSINESSES]
        per_layer = {layer: int(n * share) for layer, share in SCALE_LAYERS}
        per_layer["business-platform"] += n - sum(per_layer.values())
        self.layers = [layer for layer, _ in SCALE_LAYERS for _ in range(per_layer[layer])]
        self.capabilities: list[dict[str, Any]] = []
        self.apis: list[dict[str, Any]] = []
        self.adoptions: dict[str, list[tuple[dt.date, str]]] = {}
        self.dependencies: dict[int, dict[int, str]] = {}

    def build(self) -> None:
        for position, layer in enumerate(self.layers):
            self._add_capability(position, layer)
        self._add_dependencies()

    def documents(self) -> list[dict[str, Any]]:
        """Return the catalog as Backstage descriptors: systems, components, websites, APIs."""
        docs = [_descriptor("System", {"name": slug, "title": name}, {
            "owner": f"group:default/{self.teams[slug][0]}", "domain": f"domain:default/{slug}"})
            for layer in self.domains_by_layer.values() for slug, name in layer]
        for position, capability in enumerate(self.capabilities):
            providers = self.dependencies.get(position, {})
            slugs = {p: self.capabilities[p]["slug"] for p in providers}
            annotations = {
                "capability-portal/lifecycle": capability["lifecycle"],
                "capability-portal/tier": str(capability["tier"]),
                "capability-portal/sla-availability": capability["sla_availability"],
                "capability-portal/sla-p99-ms": str(capability["sla_p99_ms"]),
            }
            if capability["layer"] != "frontend":  # a frontend annotation makes a Business
                annotations["capability-portal/layer"] = capability["layer"]
            if providers:
                annotations["capability-portal/dependency-kinds"] = ",".join(
                    f"{slugs[p]}={kind}" for p, kind in sorted(providers.items()))
            docs.append(_descriptor("Component", {
                "name": capability["slug"], "title": capability["name"],
                "description": capability["summary"], "tags": capability["tags"],
                "links": [{"url": capability["docs_url"], "type": "docs"},
                          {"url": capability["repo_url"], "type": "repository"}],
                "annotations": annotations,
            }, {
                "type": "service", "lifecycle": SCALE_BACKSTAGE_LIFECYCLES[capability["lifecycle"]],
                "owner": f"group:default/{capability['team']}",
                "system": f"system:default/{capability['domain']}",
                "providesApis": [f"api:default/{api['name']}" for api in capability["apis"]],
                "dependsOn": [f"component:default/{slugs[p]}" for p in sorted(providers)],
            }))
            docs.extend(_descriptor("API", {
                "name": api["name"], "title": api["title"],
                "annotations": {"capability-portal/api-version": api["version"],
                                "capability-portal/api-definition": "none"},
            }, {"type": api["kind"], "lifecycle": api["lifecycle"],
                "owner": f"group:default/{capability['team']}",
                "definition": "# generated\n"}) for api in capability["apis"])
        for slug, name, status, team, _ in BUSINESSES:
            adopted = sorted({capability for _, capability in self.adoptions.get(slug, [])})
            docs.append(_descriptor("Component", {
                "name": slug, "title": name,
                "annotations": {"capability-portal/layer": "frontend",
                                "capability-portal/status": status},
            }, {"type": "website", "lifecycle": "production", "owner": f"group:default/{team}",
                "dependsOn": [f"component:default/{capability}" for capability in adopted]}))
        return docs

    def deliveries_csv(self, count: int, rng: random.Random) -> str:
        """Return ``count`` deliveries over three years as CSV, reusing their business's adoptions."""
        for rows in self.adoptions.values():
            rows.sort()
        sinces = {b: [since for since, _ in rows] for b, rows in self.adoptions.items()}
        start = self.day - dt.timedelta(days=DELIVERY_DAYS)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(deliveries_service.CSV_COLUMNS)
        for i in range(count):
            business = rng.choice(self.businesses)
            requested = start + dt.timedelta(days=rng.randint(0, DELIVERY_DAYS - 5))
            available = bisect.bisect_right(sinces.get(business, []), requested)
            reused = min(reuse_count(rng, (requested - start).days / DELIVERY_DAYS), available)
            delivered = requested + dt.timedelta(days=lead_time(rng, reused))
            chosen = [self.adoptions[business][position][1]
                      for position in rng.sample(range(available), reused)]
            writer.writerow([business, rng.choice(DELIVERY_FEATURES), requested.isoformat(),
                             delivered.isoformat() if delivered <= self.day else "",
                             ";".join(chosen), f"GEN-{i + 1:07d}"])
        return out.getvalue()

    def _add_capability(self, position: int, layer: str) -> None:
        rng = self.rng
        domain, domain_name = rng.choice(self.domains_by_layer[layer])
        number = position + 1
        name = (f"{rng.choice(SCALE_SUBJECTS[domain])} {rng.choice(SCALE_NOUNS)} "
                f"{rng.choice(SCALE_KINDS)} {number:0{self.digits}d}")
        slug = name.lower().replace(" ", "-")
        lifecycle = _weighted(rng, SCALE_LIFECYCLES)
        capability = {
            "slug": slug, "name": name, "layer": layer, "domain": domain,
            "summary": f"{name}: a generated {domain_name} capability for benchmarks.",
            "tags": rng.sample(SCALE_TAGS, 3), "lifecycle": lifecycle,
            "team": rng.choice(self.teams[domain]), "tier": rng.choice((1, 2, 2, 3, 3, 3)),
            "docs_url": f"https://docs.example.com/capabilities/{slug}",
            "repo_url": f"https://git.example.com/generated/{slug}",
            "sla_availability": rng.choice(("99.9", "99.95", "99.99")),
            "sla_p99_ms": rng.choice((10, 20, 50, 100, 200, 500)),
            "apis": self._apis(slug, name, lifecycle),
        }
        self.capabilities.append(capability)
        if lifecycle in (PROD, DEPRECATED) and layer in ("frontend", "business-platform"):
            for business in rng.sample(self.businesses, rng.choice((0, 1, 1, 2, 2, 3))):
                self.adoptions.setdefault(business, []).append(
                    (self.day - dt.timedelta(days=rng.randint(0, 1095)), slug))

    def _apis(self, slug: str, name: str, lifecycle: str) -> list[dict[str, Any]]:
        versions: dict[str, int] = {}
        apis = []
        for _ in range(self.rng.randint(2, 5)):
            kind = _weighted(self.rng, SCALE_API_KINDS)
            versions[kind] = versions.get(kind, 0) + 1
            status = ("deprecated" if lifecycle in (DEPRECATED, RETIRED)
                      else "beta" if lifecycle != PROD
                      else self.rng.choice(("stable", "stable", "stable", "beta")))
            apis.append({"name": f"{slug}-{kind}-v{versions[kind]}",
                         "title": f"{name} {SCALE_API_LABELS[kind]} v{versions[kind]}",
                         "kind": kind, "version": f"v{versions[kind]}",
                         "lifecycle": SCALE_API_LIFECYCLES[status]})
        return apis

    def _add_dependencies(self) -> None:
        """About five providers each, earlier in the order, often one of a few hubs.

        A retired capability gains no dependants: the catalog refuses that.
        """
        rng = self.rng
        hubs = sorted(rng.sample(range(int(self.n * 0.4)), min(SCALE_HUBS, self.n // 10)))
        edges: set[tuple[int, int]] = set()
        for consumer in range(1, self.n):
            wanted = min(rng.randint(2, 8), consumer)
            eligible_hubs = [hub for hub in hubs if hub < consumer]
            providers: set[int] = set()
            for _ in range(wanted * 3):
                if len(providers) == wanted:
                    break
                if eligible_hubs and rng.random() < 0.3:
                    providers.add(rng.choice(eligible_hubs))
                else:
                    providers.add(rng.randrange(consumer))
            edges.update((consumer, provider) for provider in providers)
        # Turn a few short edges between non-hubs back: small cycles.
        short = sorted((consumer, provider) for consumer, provider in edges
                       if consumer - provider <= SCALE_CYCLE_SPAN and provider not in hubs)
        for consumer, provider in rng.sample(short, min(len(short), self.n // SCALE_CYCLES_PER)):
            edges.add((provider, consumer))
        # Let a few deep capabilities that nothing uses depend on the business platform:
        # layering breaks that cannot close a cycle.
        used = {provider for _, provider in edges}
        unused_deep = [position for position, layer in enumerate(self.layers)
                       if layer in ("data-platform", "infrastructure") and position not in used]
        business = [position for position, layer in enumerate(self.layers)
                    if layer == "business-platform"]
        if business:
            for consumer in rng.sample(unused_deep,
                                       min(len(unused_deep), self.n // SCALE_BREAKS_PER)):
                edges.add((consumer, rng.choice(business)))
        for consumer, provider in sorted(edges):
            kind = rng.choice(("sync", "sync", "sync", "async", "data"))
            if self.capabilities[provider]["lifecycle"] != RETIRED:
                self.dependencies.setdefault(consumer, {})[provider] = kind


def _descriptor(kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": metadata,
            "spec": spec}


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def _build_scale(n: int, deliveries: int) -> str:
    _add_organisation()
    _demo_users()
    builder = _ScaleBuilder(n, random.Random(SCALE_RANDOM_SEED))
    builder.build()
    report = backstage.import_documents(builder.documents(), name=f"generated-{n}")
    if not report.ok:
        raise report.as_error()
    recorded = 0
    if deliveries:
        delivered = deliveries_service.import_deliveries_csv(
            builder.deliveries_csv(deliveries, random.Random(DELIVERY_RANDOM_SEED)),
            name=f"generated-{n}-deliveries.csv")
        if not delivered.ok:
            raise delivered.as_error()
        recorded = delivered.deliveries
    counts = {
        "generated capabilities": n,
        "APIs": report.created["apis"],
        "dependencies": report.created["dependencies"],
        "adoptions": report.created["adoptions"],
        "businesses": len(BUSINESSES),
        "teams": len(TEAMS),
        "deliveries": recorded,
    }
    return _report(counts)
