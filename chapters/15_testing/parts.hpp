// Chapter 15, given: the two halves of fetch_all, shared by the correct one
// (fetch_all.cpp) and the broken ones (broken/*.cpp), so that each broken
// one differs from the correct one by its one mistake only.
#pragma once

#include <functional>

#include "fetch_all.hpp"

namespace chapter15::parts {

// One name: `fetch` raced against `sleep(timeout)`; an error or a timeout
// becomes the Result's error.
asio::awaitable<Result> fetch_one(std::string name, const Fetch& fetch,
                                  std::chrono::milliseconds timeout, const Sleep& sleep);

using FetchOne = std::function<asio::awaitable<Result>(std::string name)>;

// Every name through `one`, at most `limit` at once, all started together;
// the Results in the order of `names`.
asio::awaitable<std::vector<Result>> at_most(std::vector<std::string> names, std::size_t limit,
                                             FetchOne one);

}  // namespace chapter15::parts
