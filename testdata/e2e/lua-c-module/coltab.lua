#!/usr/bin/env lua5.4
-- coltab: align tab-separated lines into columns, counting wide characters correctly.
local uw = require("utf8width")

local rows, widths = {}, {}
local function add(line)
  local row = {}
  for cell in (line .. "\t"):gmatch("([^\t]*)\t") do
    row[#row + 1] = cell
    widths[#row] = math.max(widths[#row] or 0, uw.width(cell))
  end
  rows[#rows + 1] = row
end

if #arg > 0 then
  for _, a in ipairs(arg) do add((a:gsub("|", "\t"))) end
else
  for line in io.lines() do add(line) end
end

for _, row in ipairs(rows) do
  local out = {}
  for i, cell in ipairs(row) do
    out[i] = i < #row and uw.pad(cell, widths[i]) or cell
  end
  print((table.concat(out, " | ")))
end
io.stderr:write(uw._VERSION, "\n")
