"""Names and codes of Belgian regions, provinces and arrondissements (Statbel REFNIS)."""

from __future__ import annotations

__all__ = [
    "ARRONDISSEMENT_NAMES",
    "BRUSSELS_PROVINCE_NIS",
    "NAME_COLUMNS",
    "PROVINCE_NAMES",
    "REGION_NAMES",
    "REGION_NIS",
    "TOURNAI_MOUSCRON",
    "province_of_arrondissement",
    "region_key",
    "unit_names",
]

#: The name columns of every boundary and reference table, in the package's (fr, nl, de, en)
#: order: ``NAME_COLUMNS[LANG_INDEX[lang]]`` is the column of a language.
NAME_COLUMNS: tuple[str, str, str, str] = ("name_fr", "name_nl", "name_de", "name_en")

#: Region key -> REFNIS code of the region.
REGION_NIS: dict[str, str] = {"Flanders": "02000", "Wallonia": "03000", "Brussels": "04000"}

#: Region key -> names (fr, nl, de, en).
REGION_NAMES: dict[str, tuple[str, str, str, str]] = {
    "Flanders": ("Région flamande", "Vlaams Gewest", "Flämische Region", "Flanders"),
    "Wallonia": ("Région wallonne", "Waals Gewest", "Wallonische Region", "Wallonia"),
    "Brussels": (
        "Région de Bruxelles-Capitale",
        "Brussels Hoofdstedelijk Gewest",
        "Region Brüssel-Hauptstadt",
        "Brussels-Capital Region",
    ),
}

#: Brussels has had no province since 1995; at province level it is its own unit.
BRUSSELS_PROVINCE_NIS = "04000"

#: Province code -> names (fr, nl, de, en).
PROVINCE_NAMES: dict[str, tuple[str, str, str, str]] = {
    "10000": ("Anvers", "Antwerpen", "Antwerpen", "Antwerp"),
    "20001": ("Brabant flamand", "Vlaams-Brabant", "Flämisch-Brabant", "Flemish Brabant"),
    "20002": ("Brabant wallon", "Waals-Brabant", "Wallonisch-Brabant", "Walloon Brabant"),
    "30000": ("Flandre occidentale", "West-Vlaanderen", "Westflandern", "West Flanders"),
    "40000": ("Flandre orientale", "Oost-Vlaanderen", "Ostflandern", "East Flanders"),
    "50000": ("Hainaut", "Henegouwen", "Hennegau", "Hainaut"),
    "60000": ("Liège", "Luik", "Lüttich", "Liège"),
    "70000": ("Limbourg", "Limburg", "Limburg", "Limburg"),
    "80000": ("Luxembourg", "Luxemburg", "Luxemburg", "Luxembourg"),
    "90000": ("Namur", "Namen", "Namur", "Namur"),
    BRUSSELS_PROVINCE_NIS: REGION_NAMES["Brussels"],
}

#: Arrondissement code -> names (fr, nl, de, en); 58000 and the new name of 57000 date from 2019.
ARRONDISSEMENT_NAMES: dict[str, tuple[str, str, str, str]] = {
    "11000": ("Anvers", "Antwerpen", "Antwerpen", "Antwerp"),
    "12000": ("Malines", "Mechelen", "Mecheln", "Mechelen"),
    "13000": ("Turnhout", "Turnhout", "Turnhout", "Turnhout"),
    "21000": ("Bruxelles-Capitale", "Brussel-Hoofdstad", "Brüssel-Hauptstadt", "Brussels-Capital"),
    "23000": ("Hal-Vilvorde", "Halle-Vilvoorde", "Halle-Vilvoorde", "Halle-Vilvoorde"),
    "24000": ("Louvain", "Leuven", "Löwen", "Leuven"),
    "25000": ("Nivelles", "Nijvel", "Nivelles", "Nivelles"),
    "31000": ("Bruges", "Brugge", "Brügge", "Bruges"),
    "32000": ("Dixmude", "Diksmuide", "Diksmuide", "Diksmuide"),
    "33000": ("Ypres", "Ieper", "Ypern", "Ypres"),
    "34000": ("Courtrai", "Kortrijk", "Kortrijk", "Kortrijk"),
    "35000": ("Ostende", "Oostende", "Ostende", "Ostend"),
    "36000": ("Roulers", "Roeselare", "Roeselare", "Roeselare"),
    "37000": ("Tielt", "Tielt", "Tielt", "Tielt"),
    "38000": ("Furnes", "Veurne", "Veurne", "Veurne"),
    "41000": ("Alost", "Aalst", "Aalst", "Aalst"),
    "42000": ("Termonde", "Dendermonde", "Dendermonde", "Dendermonde"),
    "43000": ("Eeklo", "Eeklo", "Eeklo", "Eeklo"),
    "44000": ("Gand", "Gent", "Gent", "Ghent"),
    "45000": ("Audenarde", "Oudenaarde", "Oudenaarde", "Oudenaarde"),
    "46000": ("Saint-Nicolas", "Sint-Niklaas", "Sankt Niklas", "Sint-Niklaas"),
    "51000": ("Ath", "Aat", "Ath", "Ath"),
    "52000": ("Charleroi", "Charleroi", "Charleroi", "Charleroi"),
    "53000": ("Mons", "Bergen", "Mons", "Mons"),
    "54000": ("Mouscron", "Moeskroen", "Mouscron", "Mouscron"),
    "55000": ("Soignies", "Zinnik", "Soignies", "Soignies"),
    "56000": ("Thuin", "Thuin", "Thuin", "Thuin"),
    "57000": ("Tournai", "Doornik", "Tournai", "Tournai"),
    "58000": ("La Louvière", "La Louvière", "La Louvière", "La Louvière"),
    "61000": ("Huy", "Hoei", "Huy", "Huy"),
    "62000": ("Liège", "Luik", "Lüttich", "Liège"),
    "63000": ("Verviers", "Verviers", "Verviers", "Verviers"),
    "64000": ("Waremme", "Borgworm", "Waremme", "Waremme"),
    "71000": ("Hasselt", "Hasselt", "Hasselt", "Hasselt"),
    "72000": ("Maaseik", "Maaseik", "Maaseik", "Maaseik"),
    "73000": ("Tongres", "Tongeren", "Tongern", "Tongeren"),
    "81000": ("Arlon", "Aarlen", "Arel", "Arlon"),
    "82000": ("Bastogne", "Bastenaken", "Bastogne", "Bastogne"),
    "83000": ("Marche-en-Famenne", "Marche-en-Famenne", "Marche-en-Famenne", "Marche-en-Famenne"),
    "84000": ("Neufchâteau", "Neufchâteau", "Neufchâteau", "Neufchâteau"),
    "85000": ("Virton", "Virton", "Virton", "Virton"),
    "91000": ("Dinant", "Dinant", "Dinant", "Dinant"),
    "92000": ("Namur", "Namen", "Namur", "Namur"),
    "93000": ("Philippeville", "Philippeville", "Philippeville", "Philippeville"),
}

#: Name of arrondissement 57000 after the 2019 reform of Hainaut.
TOURNAI_MOUSCRON = ("Tournai-Mouscron", "Doornik-Moeskroen", "Tournai-Mouscron", "Tournai-Mouscron")


def province_of_arrondissement(arrondissement_nis: str) -> str:
    """Return the province code of an arrondissement code (Brussels -> its own unit).

    Examples
    --------
    >>> province_of_arrondissement("24000")
    '20001'
    >>> province_of_arrondissement("21000")
    '04000'
    """
    head = arrondissement_nis[:2]
    if head == "21":
        return BRUSSELS_PROVINCE_NIS
    if head in {"23", "24"}:
        return "20001"
    if head == "25":
        return "20002"
    return f"{arrondissement_nis[0]}0000"


def region_key(region: str) -> str:
    """Return the key of a region given by key (``Flanders``) or REFNIS code (``02000``).

    Examples
    --------
    >>> region_key("03000"), region_key("Brussels"), region_key("Atlantis")
    ('Wallonia', 'Brussels', 'Atlantis')
    """
    by_code = {code: key for key, code in REGION_NIS.items()}
    return by_code.get(region, region)


def unit_names(level: str, code: str, *, vintage: str = "2018") -> tuple[str, str, str, str]:
    """Return the names (fr, nl, de, en) of a region, province or arrondissement.

    The one rule for the fixed names of units: regions by key or code, Brussels-Capital as its
    own province, arrondissement 57000 named Tournai-Mouscron from 2019 on. Communes carry
    their names in their own table (merged units: `geobaro.data` names them).

    Raises
    ------
    KeyError
        If the code is not a unit of that level.
    ValueError
        If the level has no fixed names.

    Examples
    --------
    >>> unit_names("arrondissement", "57000", vintage="2025")[0]
    'Tournai-Mouscron'
    >>> unit_names("region", "04000")[3]
    'Brussels-Capital Region'
    >>> unit_names("province", "20001")[2]
    'Flämisch-Brabant'
    """
    if level == "region":
        return REGION_NAMES[region_key(code)]
    if level == "province":
        return PROVINCE_NAMES[code]
    if level == "arrondissement":
        if code == "57000" and vintage != "2018":
            return TOURNAI_MOUSCRON
        return ARRONDISSEMENT_NAMES[code]
    raise ValueError(f"level {level!r} has no fixed names (communes carry their own)")
