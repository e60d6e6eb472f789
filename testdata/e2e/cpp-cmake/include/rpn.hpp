#pragma once
#include <string>
#include <vector>

namespace rpn {
// Evaluate tokens in reverse Polish notation; throws std::runtime_error on bad input.
double eval(const std::vector<std::string> &tokens);
}
