// Chapter 15 exercise: this time you write the tests.
//
// exercise.cpp holds four TEST_CASEs to fill in, one per promise of
// fetch_all (fetch_all.hpp). Your tests are built five more times, each time
// against a fetch_all that breaks one promise (broken/*.cpp), and checked
// (`./workbook check 15`) like this:
//
//   your test      must pass on         must fail on
//   15.1 order     fetch_all.cpp        broken/wrong_order.cpp
//   15.2 limit     fetch_all.cpp        broken/one_too_many.cpp, broken/one_at_a_time.cpp
//   15.3 errors    fetch_all.cpp        broken/lost_error.cpp
//   15.4 timeout   fetch_all.cpp        broken/no_timeout.cpp, and without
//                                       waiting for the real 30 s
//
// A test that fails everywhere catches nothing: it must pass on the correct
// one first. Keep each TEST_CASE's name as it is (its number is how it is
// found); add more TEST_CASEs if you like.
//
// At hand (testing.hpp): run(coroutine) to await in a test, FakeFetch to
// play the server and count what is in flight, FakeTime to play the clock.
#pragma once

#include "fetch_all.hpp"
#include "testing.hpp"
