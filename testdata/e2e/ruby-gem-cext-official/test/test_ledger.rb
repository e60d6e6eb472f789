require "minitest/autorun"
require "ledger"

class LedgerTest < Minitest::Test
  def test_balances_sum_to_zero
    b = Ledger::Book.new
    b.post("2024-01-01", "x", debit: "a", credit: "b", amount: "1.25")
    assert_equal [["a", 1.25], ["b", -1.25]], b.balances
  end
end
