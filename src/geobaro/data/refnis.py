"""Changes of Belgian commune codes on 2019-01-01 and 2025-01-01 (Statbel REFNIS, CC BY 4.0)."""

from __future__ import annotations

import pandas as pd

__all__ = ["MERGERS", "MERGER_COLUMNS", "mergers_frame"]

#: Columns of the code-change table, as in the mirror's ``mergers.csv``.
MERGER_COLUMNS = ("effective_date", "old_nis", "new_nis", "new_name", "change")

# Facts from Statbel's REFNIS code list (validity dates of each code), the same rows as the
# mirror's mergers.csv; kept here so that the Statbel download path can map 2018 codes to the
# 2019 (581) and 2025 (565) units without the mirror. "recode": new code, same territory.
MERGERS: tuple[tuple[str, str, str, str, str], ...] = (
    ("2019-01-01", "12030", "12041", "Puurs-Sint-Amands", "merger"),
    ("2019-01-01", "12034", "12041", "Puurs-Sint-Amands", "merger"),
    ("2019-01-01", "44011", "44083", "Deinze", "merger"),
    ("2019-01-01", "44049", "44083", "Deinze", "merger"),
    ("2019-01-01", "44001", "44084", "Aalter", "merger"),
    ("2019-01-01", "44029", "44084", "Aalter", "merger"),
    ("2019-01-01", "44036", "44085", "Lievegem", "merger"),
    ("2019-01-01", "44072", "44085", "Lievegem", "merger"),
    ("2019-01-01", "44080", "44085", "Lievegem", "merger"),
    ("2019-01-01", "45017", "45068", "Kruisem", "merger"),
    ("2019-01-01", "45057", "45068", "Kruisem", "merger"),
    ("2019-01-01", "71047", "72042", "Oudsbergen", "merger"),
    ("2019-01-01", "72040", "72042", "Oudsbergen", "merger"),
    ("2019-01-01", "72025", "72043", "Pelt", "merger"),
    ("2019-01-01", "72029", "72043", "Pelt", "merger"),
    ("2019-01-01", "55010", "51067", "Enghien", "recode"),
    ("2019-01-01", "55039", "51068", "Silly", "recode"),
    ("2019-01-01", "55023", "51069", "Lessines", "recode"),
    ("2019-01-01", "52063", "55085", "Seneffe", "recode"),
    ("2019-01-01", "52043", "55086", "Manage", "recode"),
    ("2019-01-01", "54007", "57096", "Mouscron", "recode"),
    ("2019-01-01", "54010", "57097", "Comines-Warneton", "recode"),
    ("2019-01-01", "55022", "58001", "La Louvière", "recode"),
    ("2019-01-01", "56011", "58002", "Binche", "recode"),
    ("2019-01-01", "56085", "58003", "Estinnes", "recode"),
    ("2019-01-01", "56087", "58004", "Morlanwelz", "recode"),
    ("2025-01-01", "11002", "11002", "Antwerpen", "merger"),
    ("2025-01-01", "11007", "11002", "Antwerpen", "merger"),
    ("2025-01-01", "23023", "23106", "Pajottegem", "merger"),
    ("2025-01-01", "23024", "23106", "Pajottegem", "merger"),
    ("2025-01-01", "23032", "23106", "Pajottegem", "merger"),
    ("2025-01-01", "37012", "37021", "Wingene", "merger"),
    ("2025-01-01", "37018", "37021", "Wingene", "merger"),
    ("2025-01-01", "37007", "37022", "Tielt", "merger"),
    ("2025-01-01", "37015", "37022", "Tielt", "merger"),
    ("2025-01-01", "44012", "44086", "Nazareth-De Pinte", "merger"),
    ("2025-01-01", "44048", "44086", "Nazareth-De Pinte", "merger"),
    ("2025-01-01", "44034", "44087", "Lochristi", "merger"),
    ("2025-01-01", "44073", "44087", "Lochristi", "merger"),
    ("2025-01-01", "44040", "44088", "Merelbeke-Melle", "merger"),
    ("2025-01-01", "44043", "44088", "Merelbeke-Melle", "merger"),
    ("2025-01-01", "44045", "46029", "Lokeren", "merger"),
    ("2025-01-01", "46014", "46029", "Lokeren", "merger"),
    ("2025-01-01", "11056", "46030", "Beveren-Kruibeke-Zwijndrecht", "merger"),
    ("2025-01-01", "46003", "46030", "Beveren-Kruibeke-Zwijndrecht", "merger"),
    ("2025-01-01", "46013", "46030", "Beveren-Kruibeke-Zwijndrecht", "merger"),
    ("2025-01-01", "71057", "71071", "Tessenderlo-Ham", "merger"),
    ("2025-01-01", "71069", "71071", "Tessenderlo-Ham", "merger"),
    ("2025-01-01", "71022", "71072", "Hasselt", "merger"),
    ("2025-01-01", "73040", "71072", "Hasselt", "merger"),
    ("2025-01-01", "73006", "73110", "Bilzen-Hoeselt", "merger"),
    ("2025-01-01", "73032", "73110", "Bilzen-Hoeselt", "merger"),
    ("2025-01-01", "73009", "73111", "Tongeren-Borgloon", "merger"),
    ("2025-01-01", "73083", "73111", "Tongeren-Borgloon", "merger"),
    ("2025-01-01", "82003", "82039", "Bastogne", "merger"),
    ("2025-01-01", "82005", "82039", "Bastogne", "merger"),
)


def mergers_frame() -> pd.DataFrame:
    """Return the code changes as a table of strings (a new copy on each call).

    Examples
    --------
    >>> m = mergers_frame()
    >>> list(m.columns)
    ['effective_date', 'old_nis', 'new_nis', 'new_name', 'change']
    >>> m.loc[m["old_nis"] == "55022", "new_nis"].item()
    '58001'
    """
    return pd.DataFrame(list(MERGERS), columns=list(MERGER_COLUMNS), dtype=str)
