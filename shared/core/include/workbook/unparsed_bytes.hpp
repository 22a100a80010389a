// The bytes of a connection that a parser has not parsed yet, for parsers
// of line-and-length protocols (RESP, memcached's text protocol) that
// resume where they stopped: a line's end is searched for once, however
// many reads it takes to arrive, and a block of known length is waited for
// without looking at it again. work() counts the bytes looked at, so a
// test can prove the cost bounded without timing it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace workbook {

class UnparsedBytes {
  public:
    void append(std::string_view data) { bytes_.append(data); }

    // The next line, without its "\r\n", taken off the front; nullopt while
    // its end has not come (the next call searches on from where this one
    // stopped, one byte back: a "\r" may have been the last byte). Valid
    // until the next append() or compact().
    std::optional<std::string_view> line() {
        const std::size_t from = std::max(taken_, searched_ > 0 ? searched_ - 1 : 0);
        const auto eol = bytes_.find("\r\n", from);
        if (eol == std::string::npos) {
            work_ += bytes_.size() - from;
            searched_ = bytes_.size();
            return std::nullopt;
        }
        work_ += eol + 2 - from;
        searched_ = 0;
        const std::string_view line(bytes_.data() + taken_, eol - taken_);
        taken_ = eol + 2;
        return line;
    }

    enum class Block { more, taken, too_long };

    // `size` bytes followed by "\r\n", copied into `out` and taken off the
    // front: `more` while they have not all come; `too_long` when the bytes
    // after them are not "\r\n" (the block is longer than it was said to be).
    Block block(std::size_t size, std::string& out) {
        if (bytes_.size() - taken_ < size + 2) return Block::more;
        if (bytes_.compare(taken_ + size, 2, "\r\n") != 0) return Block::too_long;
        out.assign(bytes_, taken_, size);
        work_ += size + 2;
        taken_ += size + 2;
        return Block::taken;
    }

    // Drops what has been taken: the rest moves to the front (at the end of
    // each feed, so a byte moves at most once or twice).
    void compact() {
        if (taken_ == 0) return;
        bytes_.erase(0, taken_);
        work_ += bytes_.size();
        if (searched_ > 0) searched_ -= taken_;
        taken_ = 0;
    }

    // Bytes looked at so far: searched for a line's end, copied, or moved.
    std::size_t work() const { return work_; }

  private:
    std::string bytes_;
    std::size_t taken_ = 0;     // bytes_[0, taken_) is parsed
    std::size_t searched_ = 0;  // no "\r\n" before this in the current line (0: not searched)
    std::size_t work_ = 0;
};

}  // namespace workbook
