// ProductMemory (server/ProductMemory.h): each fact is answered for its own product only,
// "may open" forgets that fact for every product and no other fact, forget drops all, and
// the entry kept aside for the last product asked never answers for another.

#include "server/ProductMemory.h"

#include <doctest/doctest.h>

#include <string>

using backfill::server::ProductMemory;

TEST_CASE("each fact is remembered for its own product")
{
    ProductMemory m;
    CHECK_FALSE(m.known("SKU-1"));
    m.markKnown("SKU-1");
    CHECK(m.known("SKU-1"));
    CHECK_FALSE(m.noOpenLines("SKU-1"));
    CHECK_FALSE(m.noOpenInbound("SKU-1"));
    CHECK_FALSE(m.known("SKU-2"));
    CHECK_FALSE(m.known("SKU-")); // a prefix is another product
    m.markNoOpenLines("SKU-2");
    CHECK(m.noOpenLines("SKU-2"));
    CHECK_FALSE(m.known("SKU-2")); // no open line says nothing of the catalog
    CHECK_FALSE(m.noOpenInbound("SKU-2"));
    CHECK(m.known("SKU-1"));
    CHECK_FALSE(m.noOpenLines("SKU-1"));
    CHECK(m.size() == 2);
}

TEST_CASE("lines or inbound that may open forget that fact for every product, and no other")
{
    ProductMemory m;
    for (const char* sku : {"A", "B", "C"}) {
        m.markKnown(sku);
        m.markNoOpenLines(sku);
        m.markNoOpenInbound(sku);
    }
    CHECK(m.noOpenLines("B")); // B is the entry kept aside now
    m.linesMayOpen();
    for (const char* sku : {"B", "A", "C"}) {
        CHECK_FALSE(m.noOpenLines(sku));
        CHECK(m.noOpenInbound(sku));
        CHECK(m.known(sku));
    }
    m.markNoOpenLines("C"); // read again after the change: remembered again
    CHECK(m.noOpenLines("C"));
    CHECK_FALSE(m.noOpenLines("A"));
    m.inboundMayOpen();
    CHECK_FALSE(m.noOpenInbound("C"));
    CHECK(m.noOpenLines("C"));
}

TEST_CASE("forget drops every fact, the entry kept aside included")
{
    ProductMemory m;
    m.markKnown("SKU-9");
    CHECK(m.known("SKU-9"));
    m.forget();
    CHECK(m.size() == 0);
    CHECK_FALSE(m.known("SKU-9"));
    m.markNoOpenLines("SKU-9");
    CHECK_FALSE(m.known("SKU-9"));
    CHECK(m.noOpenLines("SKU-9"));
}

TEST_CASE("past its bound the memory starts again")
{
    ProductMemory m;
    for (size_t i = 0; i < ProductMemory::kMax; ++i) m.markKnown("P" + std::to_string(i));
    CHECK(m.size() == ProductMemory::kMax);
    CHECK(m.known("P0"));
    CHECK(m.known("P199999"));
    m.markKnown("one more");
    CHECK(m.size() == 1);
    CHECK(m.known("one more"));
    CHECK_FALSE(m.known("P0"));
}
