// What an unsolved exercise throws: `workbook::todo("05.1");`
// A stub fails fast with a message that points at the file, the line and the
// hint, instead of hanging or returning something that looks like an answer.
#pragma once

#include <source_location>
#include <stdexcept>
#include <string>

namespace workbook {

class NotDoneYet : public std::logic_error {
  public:
    using std::logic_error::logic_error;
};

// `id` is the exercise's number, "NN.n".
[[noreturn]] inline void todo(const std::string& id,
                              std::source_location where = std::source_location::current()) {
    std::string file = where.file_name();
    if (const auto at = file.rfind("chapters/"); at != std::string::npos) file.erase(0, at);
    // The hint of this very TODO, not the chapter's list: hints.md has one
    // section per TODO.
    throw NotDoneYet("TODO(" + id + ") is not done yet: write it in " + file + ":" +
                     std::to_string(where.line()) + " (stuck? ./workbook hint " + id + ")");
}

}  // namespace workbook
