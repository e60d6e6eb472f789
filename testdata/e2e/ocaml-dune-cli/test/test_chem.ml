open Chem

let table = Elements.load "../share/elements.json"
let failures = ref 0

let check_mass formula expected =
  let m = Elements.molar_mass table (Formula.parse formula) in
  if Float.abs (m -. expected) > 0.01 then begin
    Printf.printf "FAIL %s: %.3f, expected %.3f\n" formula m expected;
    incr failures
  end

let check_counts formula expected =
  let got = Formula.parse formula in
  if got <> expected then begin
    Printf.printf "FAIL %s: parsed as %s\n" formula
      (String.concat " " (List.map (fun (s, n) -> Printf.sprintf "%s%d" s n) got));
    incr failures
  end

let check_error formula =
  match Formula.parse formula with
  | exception Formula.Parse_error _ -> ()
  | _ ->
      Printf.printf "FAIL %s: parsed without error\n" formula;
      incr failures

let () =
  check_counts "H2O" [ ("H", 2); ("O", 1) ];
  check_counts "Ca(OH)2" [ ("Ca", 1); ("O", 2); ("H", 2) ];
  check_counts "K4[Fe(CN)6]" [ ("K", 4); ("Fe", 1); ("C", 6); ("N", 6) ];
  check_counts "CuSO4.5H2O" [ ("Cu", 1); ("S", 1); ("O", 9); ("H", 10) ];
  check_mass "H2O" 18.015;
  check_mass "NaCl" 58.443;
  check_mass "C6H12O6" 180.156;
  check_error "H2O)";
  check_error "(CH3";
  check_error "h2o";
  check_error "";
  if !failures > 0 then exit 1;
  print_endline "chem tests: all passed"
