// Fuzz target: parse_repo_info, and the one-pass JSON reader under it
// (json_fields), which read whatever the API answers. Checked: no crash, no
// exception but ParseError, json_fields accepts and rejects exactly what
// nlohmann::json does and reads the same three fields
// (fuzz/json_oracle.hpp), and what parse_repo_info reads comes back
// the same through to_json (what chapter 12 keeps in memcached).
#include "fuzz.hpp"
#include "json_oracle.hpp"
#include "workbook/github.hpp"

namespace {

// json_fields refuses nesting deeper than 512 levels; nlohmann has no limit.
bool deeper_than_512(std::string_view text) {
    int depth = 0;
    for (const char c : text) {
        if (c == '[' || c == '{') ++depth;
        if (depth > 512) return true;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto why = workbook::json_oracle::disagreement(text);
    fuzz::check(why.empty() || deeper_than_512(text), "json_fields and nlohmann disagree",
                why + ": " + text);

    workbook::RepoInfo info;
    try {
        info = workbook::parse_repo_info(text);
    } catch (const workbook::ParseError&) {
        return 0;  // the documented refusal; anything else escapes and is a crash
    }
    fuzz::check(workbook::parse_repo_info(workbook::to_json(info)) == info,
                "a RepoInfo does not come back the same through to_json", text);
    return 0;
}
