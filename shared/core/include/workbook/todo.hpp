// What an unsolved exercise throws: `workbook::todo("05.1");`
// A stub fails fast with a message that points at the file, the line and the
// hint, instead of hanging or returning something that looks like an answer.
#pragma once

#include <source_location>
#include <stdexcept>
#include <string>
#include <utility>

namespace workbook {

class NotDoneYet : public std::logic_error {
  public:
    NotDoneYet(std::string id, std::string file, unsigned line)
        : std::logic_error("TODO(" + id + ") is not done yet: write it in " + file + ":" +
                           std::to_string(line) + " (stuck? ./workbook hint " + id + ")"),
          id_(std::move(id)) {}

    // "08.1", and the chapter it belongs to, "08".
    const std::string& id() const noexcept { return id_; }
    std::string chapter() const { return id_.substr(0, id_.find('.')); }

  private:
    std::string id_;
};

// `id` is the exercise's number, "NN.n".
[[noreturn]] inline void todo(const std::string& id,
                              std::source_location where = std::source_location::current()) {
    std::string file = where.file_name();
    if (const auto at = file.rfind("chapters/"); at != std::string::npos) file.erase(0, at);
    // The message names the hint of this very TODO, not the chapter's list:
    // hints.md has one section per TODO.
    throw NotDoneYet(id, std::move(file), where.line());
}

}  // namespace workbook
