(* Parsing chemical formulas such as "H2O", "Ca(OH)2", "K4[Fe(CN)6]" or
   "CuSO4.5H2O" into element counts. *)

exception Parse_error of int * string

type counts = (string * int) list (* element symbol, count; in order of first appearance *)

let add_count acc sym n =
  if List.mem_assoc sym acc then
    List.map (fun (s, c) -> if s = sym then (s, c + n) else (s, c)) acc
  else acc @ [ (sym, n) ]

let merge a b times = List.fold_left (fun acc (s, n) -> add_count acc s (n * times)) a b

let is_upper c = c >= 'A' && c <= 'Z'
let is_lower c = c >= 'a' && c <= 'z'
let is_digit c = c >= '0' && c <= '9'

let parse (s : string) : counts =
  let len = String.length s in
  let pos = ref 0 in
  let peek () = if !pos < len then Some s.[!pos] else None in
  let fail msg = raise (Parse_error (!pos, msg)) in
  let number ~default =
    let start = !pos in
    while !pos < len && is_digit s.[!pos] do incr pos done;
    if !pos = start then default else int_of_string (String.sub s start (!pos - start))
  in
  let closing = function '(' -> ')' | '[' -> ']' | _ -> '}' in
  (* group := (element | '(' group ')' | '[' group ']')* with optional counts *)
  let rec group stop =
    let acc = ref [] in
    let continue = ref true in
    while !continue do
      match peek () with
      | Some c when is_upper c ->
          let start = !pos in
          incr pos;
          while !pos < len && is_lower s.[!pos] do incr pos done;
          let sym = String.sub s start (!pos - start) in
          acc := add_count !acc sym (number ~default:1)
      | Some (('(' | '[' | '{') as o) ->
          incr pos;
          let inner = group (Some (closing o)) in
          acc := merge !acc inner (number ~default:1)
      | Some c when Some c = stop ->
          incr pos;
          continue := false
      | Some (')' | ']' | '}') -> fail "unbalanced bracket"
      | Some ('.' | '*') when stop = None -> continue := false
      | None when stop = None -> continue := false
      | None -> fail "missing closing bracket"
      | Some c -> fail (Printf.sprintf "unexpected character %C" c)
    done;
    !acc
  in
  (* formula := part ('.' part)* where part := coefficient? group *)
  let rec parts acc =
    let coeff = number ~default:1 in
    let g = group None in
    if g = [] then fail "empty formula";
    let acc = merge acc g coeff in
    match peek () with
    | Some ('.' | '*') ->
        incr pos;
        parts acc
    | _ -> acc
  in
  if len = 0 then fail "empty formula";
  parts []
