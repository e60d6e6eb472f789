(* The element table, read from a JSON file:
   [{"symbol": "H", "name": "hydrogen", "number": 1, "mass": 1.008}, ...] *)

type element = { symbol : string; name : string; number : int; mass : float }

type table = (string, element) Hashtbl.t

let default_path = "/usr/local/share/molmass/elements.json"

let load path : table =
  let open Yojson.Safe.Util in
  let json = Yojson.Safe.from_file path in
  let tbl = Hashtbl.create 128 in
  List.iter
    (fun e ->
      let el =
        {
          symbol = e |> member "symbol" |> to_string;
          name = e |> member "name" |> to_string;
          number = e |> member "number" |> to_int;
          mass = e |> member "mass" |> to_number;
        }
      in
      Hashtbl.replace tbl el.symbol el)
    (json |> member "elements" |> to_list);
  tbl

let find (tbl : table) sym =
  match Hashtbl.find_opt tbl sym with
  | Some e -> e
  | None -> failwith (Printf.sprintf "unknown element %s" sym)

(* molar mass in g/mol *)
let molar_mass tbl (counts : Formula.counts) =
  List.fold_left (fun acc (s, n) -> acc +. ((find tbl s).mass *. float_of_int n)) 0.0 counts

(* mass fraction (percent) of every element, in order of appearance *)
let composition tbl counts =
  let total = molar_mass tbl counts in
  List.map (fun (s, n) -> (find tbl s, n, 100.0 *. (find tbl s).mass *. float_of_int n /. total)) counts
