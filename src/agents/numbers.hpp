// Numbers in the text of an answer (internal to src/agents): how the composer writes them and how the verifier
// reads them back (docs/chat.md, "The verifier's rule").
#pragma once
#include <string>
#include <vector>

namespace panocarbon::agents::detail {

// A number as it stands in a text: "1,730", "17.3 %", "1.23e-5", "3.5 亿".
struct NumberToken {
  std::string text;        // as written, with its percent sign or Chinese multiplier
  size_t begin = 0, end = 0;  // byte offsets in the text
  double value = 0;        // the magnitude written (without percent scaling; with 万/亿 applied)
  double tolerance = 0;    // half a unit of the last digit shown (with 万/亿 applied)
  bool percent = false;
  bool citation = false;   // inside [..]: a citation index
  bool year = false;       // an integer 1900..2100 without separators, decimals or percent
  bool step_number = false;
  bool level = false;      // a confidence level: "95 % interval", "95 %区间"
  // after "step"/"步骤"/"第"
};

// Every number of `text` (UTF-8). A digit run that continues a word (CO2, AR6, GWP100, PM2.5) is not a number.
std::vector<NumberToken> extract_numbers(const std::string& text);

// `v` with 3 significant figures: thousands separators from 1,000 ("1,730", "12,300"), decimals below
// ("17.3", "0.951"), scientific below 0.001 ("1.23e-04").
std::string format_number(double v);

}  // namespace panocarbon::agents::detail
