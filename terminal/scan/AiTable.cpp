#include "scan/AiTable.h"
#include "scan/ScanText.h"

#include <algorithm>

namespace backfill::scan {

namespace {

// Table-building shorthands. N(18, Lint::Csum) is a fixed 18-digit part, Nv(8) is N..8,
// X/Xv are CSET 82, Yv is CSET 39, Zv is CSET 64; opt() marks an optional trailing part.
constexpr Component part(Charset cs, int minLen, int maxLen, Lint a, Lint b)
{
    return Component{cs, static_cast<uint8_t>(minLen), static_cast<uint8_t>(maxLen), false, {a, b}};
}
constexpr Component N(int n, Lint a = Lint::None, Lint b = Lint::None) { return part(Charset::Numeric, n, n, a, b); }
constexpr Component Nv(int max, Lint a = Lint::None) { return part(Charset::Numeric, 1, max, a, Lint::None); }
constexpr Component X(int n, Lint a = Lint::None) { return part(Charset::Cset82, n, n, a, Lint::None); }
constexpr Component Xv(int max, Lint a = Lint::None, Lint b = Lint::None) { return part(Charset::Cset82, 1, max, a, b); }
constexpr Component Yv(int max) { return part(Charset::Cset39, 1, max, Lint::None, Lint::None); }
constexpr Component Zv(int max) { return part(Charset::Cset64, 1, max, Lint::None, Lint::None); }
constexpr Component opt(Component c)
{
    c.optional = true;
    return c;
}

constexpr unsigned P = kPredefined;
constexpr unsigned K = kKey;
constexpr unsigned A = kDlAttribute;
constexpr unsigned L = kDlPrimary;
constexpr unsigned D = kDecimal;
constexpr unsigned C = kCurrency;

using enum Lint;

// The AI table. Columns: first AI, last AI, flags, data field parts, required associations,
// excluded associations, Digital Link key qualifiers, title. Sources: GS1 General
// Specifications 3.2 (Figure 3.2-1, formats), 4.14 (associations), 7.8.5 (predefined
// lengths); GS1 Digital Link URI Syntax (primary keys, qualifiers, attributes); the GS1
// Barcode Syntax Dictionary for the component breakdown.
constexpr AiEntry kTable[] = {
    // 3.3 Identification keys of trade items and logistic units.
    {"00", "00", P | K | A | L, {N(18, Csum)}, "", "", "", "SSCC"},
    {"01", "01", P | K | A | L, {N(14, Csum)}, "", "255,37", "22,10,21|235", "GTIN"},
    {"02", "02", P | A, {N(14, Csum)}, "37", "01,03", "", "CONTENT"},
    {"03", "03", P, {N(14, Csum)}, "", "01,02,37", "", "MTO GTIN"},
    // 3.4 Batch, dates (YYMMDD; DD = 00 allowed for the dates of 3.4.2-3.4.7), variant, serial.
    {"10", "10", A, {Xv(20)}, "01,02,03,8006,8026", "", "", "BATCH/LOT"},
    {"11", "11", P | A, {N(6, Yymmd0)}, "01,02,03,8006,8026", "", "", "PROD DATE"},
    {"12", "12", P | A, {N(6, Yymmd0)}, "8020", "", "", "DUE DATE"},
    {"13", "13", P | A, {N(6, Yymmd0)}, "01,02,03,8006,8026", "", "", "PACK DATE"},
    {"15", "15", P | A, {N(6, Yymmd0)}, "01,02,03,8006,8026", "", "", "BEST BEFORE or BEST BY"},
    {"16", "16", P | A, {N(6, Yymmd0)}, "01,02,03,8006,8026", "", "", "SELL BY"},
    {"17", "17", P | A, {N(6, Yymmd0)}, "01,02,03,255,8006,8026", "", "", "USE BY or EXPIRY"},
    {"20", "20", P | A, {N(2)}, "01,02,8006,8026", "", "", "VARIANT"},
    {"21", "21", 0, {Xv(20)}, "01,03,8006", "235", "", "SERIAL"},
    {"22", "22", 0, {Xv(20)}, "01", "", "", "CPV"},
    {"235", "235", 0, {Xv(28)}, "01", "", "", "TPX"},
    {"240", "240", A, {Xv(30)}, "01,02,8006,8026", "", "", "ADDITIONAL ID"},
    {"241", "241", A, {Xv(30)}, "01,02,8006,8026", "", "", "CUST. PART No."},
    {"242", "242", A, {Nv(6)}, "01,02,8006,8026", "", "", "MTO VARIANT"},
    {"243", "243", A, {Xv(20)}, "01", "", "", "PCN"},
    {"250", "250", A, {Xv(30)}, "01,8006 21", "", "", "SECONDARY SERIAL"},
    {"251", "251", A, {Xv(30)}, "01,8006", "", "", "REF. TO SOURCE"},
    {"253", "253", K | A | L, {N(13, Csum), opt(Xv(17))}, "", "", "", "GDTI"},
    {"254", "254", 0, {Xv(20)}, "414", "", "", "GLN EXTENSION COMPONENT"},
    {"255", "255", K | A | L, {N(13, Csum), opt(Nv(12))}, "", "01,02,415,8006,8020,8026", "", "GCN"},
    // 3.6 Quantities and trade measures: 31nn-36nn have n decimals in a 6-digit field.
    {"30", "30", A, {Nv(8)}, "01,02", "", "", "VAR. COUNT"},
    {"3100", "3105", P | A | D, {N(6)}, "01,02", "310n", "", "NET WEIGHT (kg)"},
    {"3110", "3115", P | A | D, {N(6)}, "01,02", "311n", "", "LENGTH (m)"},
    {"3120", "3125", P | A | D, {N(6)}, "01,02", "312n", "", "WIDTH (m)"},
    {"3130", "3135", P | A | D, {N(6)}, "01,02", "313n", "", "HEIGHT (m)"},
    {"3140", "3145", P | A | D, {N(6)}, "01,02", "314n", "", "AREA (m2)"},
    {"3150", "3155", P | A | D, {N(6)}, "01,02", "315n", "", "NET VOLUME (l)"},
    {"3160", "3165", P | A | D, {N(6)}, "01,02", "316n", "", "NET VOLUME (m3)"},
    {"3200", "3205", P | A | D, {N(6)}, "01,02", "320n", "", "NET WEIGHT (lb)"},
    {"3210", "3215", P | A | D, {N(6)}, "01,02", "321n", "", "LENGTH (in)"},
    {"3220", "3225", P | A | D, {N(6)}, "01,02", "322n", "", "LENGTH (ft)"},
    {"3230", "3235", P | A | D, {N(6)}, "01,02", "323n", "", "LENGTH (yd)"},
    {"3240", "3245", P | A | D, {N(6)}, "01,02", "324n", "", "WIDTH (in)"},
    {"3250", "3255", P | A | D, {N(6)}, "01,02", "325n", "", "WIDTH (ft)"},
    {"3260", "3265", P | A | D, {N(6)}, "01,02", "326n", "", "WIDTH (yd)"},
    {"3270", "3275", P | A | D, {N(6)}, "01,02", "327n", "", "HEIGHT (in)"},
    {"3280", "3285", P | A | D, {N(6)}, "01,02", "328n", "", "HEIGHT (ft)"},
    {"3290", "3295", P | A | D, {N(6)}, "01,02", "329n", "", "HEIGHT (yd)"},
    {"3300", "3305", P | A | D, {N(6)}, "00,01", "330n", "", "GROSS WEIGHT (kg)"},
    {"3310", "3315", P | A | D, {N(6)}, "00,01", "331n", "", "LENGTH (m), log"},
    {"3320", "3325", P | A | D, {N(6)}, "00,01", "332n", "", "WIDTH (m), log"},
    {"3330", "3335", P | A | D, {N(6)}, "00,01", "333n", "", "HEIGHT (m), log"},
    {"3340", "3345", P | A | D, {N(6)}, "00,01", "334n", "", "AREA (m2), log"},
    {"3350", "3355", P | A | D, {N(6)}, "00,01", "335n", "", "VOLUME (l), log"},
    {"3360", "3365", P | A | D, {N(6)}, "00,01", "336n", "", "VOLUME (m3), log"},
    {"3370", "3375", P | A | D, {N(6)}, "01", "337n", "", "KG PER m2"},
    {"3400", "3405", P | A | D, {N(6)}, "00,01", "340n", "", "GROSS WEIGHT (lb)"},
    {"3410", "3415", P | A | D, {N(6)}, "00,01", "341n", "", "LENGTH (in), log"},
    {"3420", "3425", P | A | D, {N(6)}, "00,01", "342n", "", "LENGTH (ft), log"},
    {"3430", "3435", P | A | D, {N(6)}, "00,01", "343n", "", "LENGTH (yd), log"},
    {"3440", "3445", P | A | D, {N(6)}, "00,01", "344n", "", "WIDTH (in), log"},
    {"3450", "3455", P | A | D, {N(6)}, "00,01", "345n", "", "WIDTH (ft), log"},
    {"3460", "3465", P | A | D, {N(6)}, "00,01", "346n", "", "WIDTH (yd), log"},
    {"3470", "3475", P | A | D, {N(6)}, "00,01", "347n", "", "HEIGHT (in), log"},
    {"3480", "3485", P | A | D, {N(6)}, "00,01", "348n", "", "HEIGHT (ft), log"},
    {"3490", "3495", P | A | D, {N(6)}, "00,01", "349n", "", "HEIGHT (yd), log"},
    {"3500", "3505", P | A | D, {N(6)}, "01,02", "350n", "", "AREA (in2)"},
    {"3510", "3515", P | A | D, {N(6)}, "01,02", "351n", "", "AREA (ft2)"},
    {"3520", "3525", P | A | D, {N(6)}, "01,02", "352n", "", "AREA (yd2)"},
    {"3530", "3535", P | A | D, {N(6)}, "00,01", "353n", "", "AREA (in2), log"},
    {"3540", "3545", P | A | D, {N(6)}, "00,01", "354n", "", "AREA (ft2), log"},
    {"3550", "3555", P | A | D, {N(6)}, "00,01", "355n", "", "AREA (yd2), log"},
    {"3560", "3565", P | A | D, {N(6)}, "01,02", "356n", "", "NET WEIGHT (t oz)"},
    {"3570", "3575", P | A | D, {N(6)}, "01,02", "357n", "", "NET VOLUME (oz)"},
    {"3600", "3605", P | A | D, {N(6)}, "01,02", "360n", "", "NET VOLUME (qt)"},
    {"3610", "3615", P | A | D, {N(6)}, "01,02", "361n", "", "NET VOLUME (gal.)"},
    {"3620", "3625", P | A | D, {N(6)}, "00,01", "362n", "", "VOLUME (qt), log"},
    {"3630", "3635", P | A | D, {N(6)}, "00,01", "363n", "", "VOLUME (gal.), log"},
    {"3640", "3645", P | A | D, {N(6)}, "01,02", "364n", "", "VOLUME (in3)"},
    {"3650", "3655", P | A | D, {N(6)}, "01,02", "365n", "", "VOLUME (ft3)"},
    {"3660", "3665", P | A | D, {N(6)}, "01,02", "366n", "", "VOLUME (yd3)"},
    {"3670", "3675", P | A | D, {N(6)}, "00,01", "367n", "", "VOLUME (in3), log"},
    {"3680", "3685", P | A | D, {N(6)}, "00,01", "368n", "", "VOLUME (ft3), log"},
    {"3690", "3695", P | A | D, {N(6)}, "00,01", "369n", "", "VOLUME (yd3), log"},
    {"37", "37", A, {Nv(8)}, "00 02,8026", "", "", "COUNT"},
    // 3.6 Amounts and prices: the last digit of the AI gives the decimals.
    {"3900", "3909", A | D, {Nv(15)}, "255,8020", "390n,391n,394n,8111", "", "AMOUNT"},
    {"3910", "3919", A | D | C, {N(3), Nv(15)}, "8020", "391n", "", "AMOUNT"},
    {"3920", "3929", A | D, {Nv(15)}, "01 30,31nn,32nn,35nn,36nn", "392n,393n", "", "PRICE"},
    {"3930", "3939", A | D | C, {N(3), Nv(15)}, "30,31nn,32nn,35nn,36nn", "393n", "", "PRICE"},
    {"3940", "3943", A | D, {N(4)}, "255", "394n,8111", "", "PRCNT OFF"},
    {"3950", "3955", A | D, {N(6)}, "30,31nn,32nn,35nn,36nn", "392n,393n,395n,8005", "", "PRICE/UoM"},
    // 3.7 Orders, shipments and locations.
    {"400", "400", A, {Xv(30)}, "", "", "", "ORDER NUMBER"},
    {"401", "401", K | A | L, {Xv(30)}, "", "", "", "GINC"},
    {"402", "402", K | A | L, {N(17, Csum)}, "", "", "", "GSIN"},
    {"403", "403", A, {Xv(30)}, "00", "", "", "ROUTE"},
    {"410", "410", P | A, {N(13, Csum)}, "", "", "", "SHIP TO LOC"},
    {"411", "411", P | A, {N(13, Csum)}, "", "", "", "BILL TO"},
    {"412", "412", P | A, {N(13, Csum)}, "", "", "", "PURCHASE FROM"},
    {"413", "413", P | A, {N(13, Csum)}, "", "", "", "SHIP FOR LOC"},
    {"414", "414", P | K | A | L, {N(13, Csum)}, "", "", "254|7040", "LOC No."},
    {"415", "415", P | A | L, {N(13, Csum)}, "8020", "", "8020", "PAY TO"},
    {"416", "416", P | A, {N(13, Csum)}, "", "", "", "PROD/SERV LOC"},
    {"417", "417", P | A | L, {N(13, Csum)}, "", "", "7040", "PARTY"},
    {"420", "420", A, {Xv(20)}, "", "421", "", "SHIP TO POST"},
    {"421", "421", A, {N(3), Xv(9)}, "", "4307", "", "SHIP TO POST"},
    {"422", "422", A, {N(3)}, "01,02,8006,8026", "426", "", "ORIGIN"},
    {"423", "423", A, {N(3), opt(N(3)), opt(N(3)), opt(N(3)), opt(N(3))}, "01,02", "426", "", "COUNTRY - INITIAL PROCESS"},
    {"424", "424", A, {N(3)}, "01,02", "426", "", "COUNTRY - PROCESS"},
    {"425", "425", A, {N(3), opt(N(3)), opt(N(3)), opt(N(3)), opt(N(3))}, "01,02", "426", "", "COUNTRY - DISASSEMBLY"},
    {"426", "426", A, {N(3)}, "01,02", "", "", "COUNTRY - FULL PROCESS"},
    {"427", "427", A, {Xv(3)}, "01,02 422", "", "", "ORIGIN SUBDIVISION"},
    {"4300", "4300", A, {Xv(35, Pcenc)}, "00", "", "", "SHIP TO COMP"},
    {"4301", "4301", A, {Xv(35, Pcenc)}, "00", "", "", "SHIP TO NAME"},
    {"4302", "4302", A, {Xv(70, Pcenc)}, "00", "", "", "SHIP TO ADD1"},
    {"4303", "4303", A, {Xv(70, Pcenc)}, "4302", "", "", "SHIP TO ADD2"},
    {"4304", "4304", A, {Xv(70, Pcenc)}, "00", "", "", "SHIP TO SUB"},
    {"4305", "4305", A, {Xv(70, Pcenc)}, "00", "", "", "SHIP TO LOC"},
    {"4306", "4306", A, {Xv(70, Pcenc)}, "00", "", "", "SHIP TO REG"},
    {"4307", "4307", A, {X(2)}, "00", "", "", "SHIP TO COUNTRY"},
    {"4308", "4308", A, {Xv(30)}, "00", "", "", "SHIP TO PHONE"},
    {"4309", "4309", A, {N(10, Latitude), N(10, Longitude)}, "00", "", "", "SHIP TO GEO"},
    {"4310", "4310", A, {Xv(35, Pcenc)}, "00", "", "", "RTN TO COMP"},
    {"4311", "4311", A, {Xv(35, Pcenc)}, "00", "", "", "RTN TO NAME"},
    {"4312", "4312", A, {Xv(70, Pcenc)}, "00", "", "", "RTN TO ADD1"},
    {"4313", "4313", A, {Xv(70, Pcenc)}, "4312", "", "", "RTN TO ADD2"},
    {"4314", "4314", A, {Xv(70, Pcenc)}, "00", "", "", "RTN TO SUB"},
    {"4315", "4315", A, {Xv(70, Pcenc)}, "00", "", "", "RTN TO LOC"},
    {"4316", "4316", A, {Xv(70, Pcenc)}, "00", "", "", "RTN TO REG"},
    {"4317", "4317", A, {X(2)}, "00", "", "", "RTN TO COUNTRY"},
    {"4318", "4318", A, {Xv(20)}, "00", "", "", "RTN TO POST"},
    {"4319", "4319", A, {Xv(30)}, "00", "", "", "RTN TO PHONE"},
    {"4320", "4320", A, {Xv(35, Pcenc)}, "00", "", "", "SRV DESCRIPTION"},
    {"4321", "4321", A, {N(1, YesNo)}, "00", "", "", "DANGEROUS GOODS"},
    {"4322", "4322", A, {N(1, YesNo)}, "00", "", "", "AUTH TO LEAVE"},
    {"4323", "4323", A, {N(1, YesNo)}, "00", "", "", "SIG REQUIRED"},
    {"4324", "4324", A, {N(6, Yymmd0), N(4, Hhmi)}, "00", "", "", "NOT BEF DEL DT"},
    {"4325", "4325", A, {N(6, Yymmd0), N(4, Hhmi)}, "00", "", "", "NOT AFT DEL DT"},
    {"4326", "4326", A, {N(6, Yymmdd)}, "00", "", "", "REL DATE"},
    {"4330", "4330", A, {N(6), opt(X(1, Hyphen))}, "00", "4331", "", "MAX TEMP F."},
    {"4331", "4331", A, {N(6), opt(X(1, Hyphen))}, "00", "4330", "", "MAX TEMP C."},
    {"4332", "4332", A, {N(6), opt(X(1, Hyphen))}, "00", "4333", "", "MIN TEMP F."},
    {"4333", "4333", A, {N(6), opt(X(1, Hyphen))}, "00", "4332", "", "MIN TEMP C."},
    // 3.8 Additional identification, traceability and healthcare.
    {"7001", "7001", A, {N(13)}, "01,02,8006,8026", "", "", "NSN"},
    {"7002", "7002", A, {Xv(30)}, "01,02", "", "", "MEAT CUT"},
    {"7003", "7003", A, {N(6, Yymmdd), N(4, Hhmi)}, "01,02", "", "", "EXPIRY TIME"},
    {"7004", "7004", A, {Nv(4)}, "01 10", "", "", "ACTIVE POTENCY"},
    {"7005", "7005", A, {Xv(12)}, "01,02", "", "", "CATCH AREA"},
    {"7006", "7006", A, {N(6, Yymmdd)}, "01,02", "", "", "FIRST FREEZE DATE"},
    {"7007", "7007", A, {N(6, Yymmdd), opt(N(6, Yymmdd))}, "01,02", "", "", "HARVEST DATE"},
    {"7008", "7008", A, {Xv(3)}, "01,02", "", "", "AQUATIC SPECIES"},
    {"7009", "7009", A, {Xv(10)}, "01,02", "", "", "FISHING GEAR TYPE"},
    {"7010", "7010", A, {Xv(2)}, "01,02", "", "", "PROD METHOD"},
    {"7011", "7011", A, {N(6, Yymmdd), opt(N(4, Hhmi))}, "01,02", "", "", "TEST BY DATE"},
    {"7020", "7020", A, {Xv(20)}, "01,8006 416", "", "", "REFURB LOT"},
    {"7021", "7021", A, {Xv(20)}, "01,8006", "", "", "FUNC STAT"},
    {"7022", "7022", A, {Xv(20)}, "7021", "", "", "REV STAT"},
    {"7023", "7023", A, {Xv(30)}, "", "", "", "GIAI - ASSEMBLY"},
    {"7030", "7039", A, {N(3), Xv(27)}, "01,02", "", "", "PROCESSOR # s"},
    {"7040", "7040", 0, {N(1), X(1), X(1), X(1, ImporterIdx)}, "", "", "", "UIC+EXT"},
    {"7041", "7041", 0, {Xv(4)}, "00", "", "", "UFRGT UNIT TYPE"},
    {"710", "716", A, {Xv(20)}, "01", "", "", "NHRN"},
    {"7230", "7239", A, {X(2), Xv(28)}, "01,8004", "", "", "CERT # s"},
    {"7240", "7240", A, {Xv(20)}, "01,8006", "", "", "PROTOCOL"},
    {"7241", "7241", A, {N(2, MediaType)}, "8017,8018", "", "", "AIDC MEDIA TYPE"},
    {"7242", "7242", A, {Xv(25)}, "8017,8018", "", "", "VCN"},
    {"7250", "7250", A, {N(8, Yyyymmdd)}, "8018", "7251", "", "DOB"},
    {"7251", "7251", A, {N(8, Yyyymmdd), N(4, Hhmi)}, "8018", "7250", "", "DOB TIME"},
    {"7252", "7252", A, {N(1, Iso5218)}, "8018", "", "", "BIO SEX"},
    {"7253", "7253", A, {Xv(40, Pcenc)}, "8017,8018", "7256,7259", "", "FAMILY NAME"},
    {"7254", "7254", A, {Xv(40, Pcenc)}, "8017,8018", "7256,7259", "", "GIVEN NAME"},
    {"7255", "7255", A, {Xv(10)}, "8017,8018", "7256,7259", "", "SUFFIX"},
    {"7256", "7256", A, {Xv(90, Pcenc)}, "8017,8018", "", "", "FULL NAME"},
    {"7257", "7257", A, {Xv(70, Pcenc)}, "8018", "", "", "PERSON ADDR"},
    {"7258", "7258", A, {X(3, PosInSeqSlash)}, "8018+7259", "", "", "BIRTH SEQUENCE"},
    {"7259", "7259", A, {Xv(40, Pcenc)}, "8018", "7256", "", "BABY"},
    {"8001", "8001", A, {N(4, Nonzero), N(5, Nonzero), N(3, Nonzero), N(1, Winding), N(1)}, "01", "", "", "DIMENSIONS"},
    {"8002", "8002", A, {Xv(20)}, "", "", "", "CMT No."},
    {"8003", "8003", K | A | L, {N(1, Zero), N(13, Csum), opt(Xv(16))}, "", "", "", "GRAI"},
    {"8004", "8004", K | A | L, {Xv(30)}, "", "", "7040", "GIAI"},
    {"8005", "8005", A, {N(6)}, "01,02", "", "", "PRICE PER UNIT"},
    {"8006", "8006", A | L, {N(14, Csum), N(4, PieceOfTotal)}, "", "01,37", "22,10,21", "ITIP"},
    {"8007", "8007", A, {Xv(34, Iban)}, "415", "", "", "IBAN"},
    {"8008", "8008", A, {N(6, Yymmdd), N(2, Hh), opt(N(2, Mi)), opt(N(2, Ss))}, "01,02", "", "", "PROD TIME"},
    {"8009", "8009", A, {Xv(50)}, "00,01", "", "", "OPTSEN"},
    {"8010", "8010", K | A | L, {Yv(30)}, "", "", "8011", "CPID"},
    {"8011", "8011", 0, {Nv(12, NoZeroPrefix)}, "8010", "", "", "CPID SERIAL"},
    {"8012", "8012", A, {Xv(20)}, "01,8006", "", "", "VERSION"},
    {"8013", "8013", K | A | L, {Xv(25, CsumAlpha)}, "", "", "", "GMN"},
    {"8014", "8014", 0, {Xv(25, CsumAlpha, HasNonDigit)}, "01", "", "", "MUDI"},
    {"8017", "8017", K | A | L, {N(18, Csum)}, "", "8018", "8019", "GSRN - PROVIDER"},
    {"8018", "8018", K | A | L, {N(18, Csum)}, "", "8017", "8019", "GSRN - RECIPIENT"},
    {"8019", "8019", 0, {Nv(10)}, "8017,8018", "", "", "SRIN"},
    {"8020", "8020", 0, {Xv(25)}, "415", "", "", "REF No."},
    {"8026", "8026", A, {N(14, Csum), N(4, PieceOfTotal)}, "37", "02,8006", "", "ITIP CONTENT"},
    {"8030", "8030", A, {Zv(90)}, "00,01+21,253,255,8003,8004,8006+21,8010+8011,8017,8018", "", "", "DIGSIG"},
    {"8110", "8110", A, {Xv(70)}, "", "", "", "COUPON CODE"},
    {"8111", "8111", A, {N(4)}, "255", "", "", "POINTS"},
    {"8112", "8112", A, {Xv(70)}, "", "", "", "COUPON POS OFFER"},
    {"8200", "8200", 0, {Xv(70)}, "01", "", "", "PRODUCT URL"},
    {"90", "90", A, {Xv(30)}, "", "", "", "INTERNAL"},
    {"91", "99", A, {Xv(90)}, "", "", "", "INTERNAL"},
};

} // namespace

int AiEntry::minLength() const
{
    int n = 0;
    for (const auto& p : parts)
        if (p.used() && !p.optional) n += p.minLen;
    return n;
}

int AiEntry::maxLength() const
{
    int n = 0;
    for (const auto& p : parts)
        if (p.used()) n += p.maxLen;
    return n;
}

std::optional<int> AiEntry::fixedLength() const
{
    int n = 0;
    for (const auto& p : parts) {
        if (!p.used()) continue;
        if (p.optional || p.minLen != p.maxLen) return std::nullopt;
        n += p.minLen;
    }
    return n;
}

std::span<const AiEntry> aiTable() { return kTable; }

const AiEntry* findAi(std::string_view ai)
{
    if (ai.size() < 2 || ai.size() > 4 || !text::allDigits(ai)) return nullptr;
    for (const auto& e : kTable)
        if (e.first.size() == ai.size() && ai >= e.first && ai <= e.last) return &e;
    return nullptr;
}

int aiAtStart(std::string_view data)
{
    for (size_t n = 2; n <= 4 && n <= data.size(); ++n)
        if (findAi(data.substr(0, n))) return static_cast<int>(n);
    return 0;
}

bool clashesWithKnownAi(std::string_view code)
{
    if (findAi(code)) return false;
    if (aiAtStart(code) != 0) return true;
    for (const auto& e : kTable) {
        // A code shorter than an AI of the table clashes when some AI of the range starts
        // with it; ranges are contiguous, so comparing with the padded bounds suffices.
        if (code.size() >= e.first.size()) continue;
        const std::string_view lo = e.first.substr(0, code.size());
        const std::string_view hi = e.last.substr(0, code.size());
        if (code >= lo && code <= hi) return true;
    }
    return false;
}

std::optional<int> predefinedLength(std::string_view ai)
{
    // GS1 General Specifications 7.8.5, Figure 7.8.5-2: element strings with a predefined
    // length, by the first two digits of the AI; the length counts AI and data. Prefixes 03,
    // 04, 14, 18 and 19 are listed for AIs that may be assigned later.
    struct Row {
        std::string_view prefix;
        int length;
    };
    static constexpr Row kPredefinedLengths[] = {
        {"00", 20}, {"01", 16}, {"02", 16}, {"03", 16}, {"04", 18}, {"11", 8},  {"12", 8},  {"13", 8},
        {"14", 8},  {"15", 8},  {"16", 8},  {"17", 8},  {"18", 8},  {"19", 8},  {"20", 4},  {"31", 10},
        {"32", 10}, {"33", 10}, {"34", 10}, {"35", 10}, {"36", 10}, {"41", 16},
    };
    if (ai.size() < 2) return std::nullopt;
    for (const auto& r : kPredefinedLengths)
        if (ai.substr(0, 2) == r.prefix) return r.length;
    return std::nullopt;
}

bool matchesPattern(std::string_view ai, std::string_view pattern)
{
    if (ai.size() != pattern.size()) return false;
    for (size_t i = 0; i < ai.size(); ++i)
        if (pattern[i] != 'n' && pattern[i] != ai[i]) return false;
    return true;
}

std::string_view charsetName(Charset c)
{
    switch (c) {
    case Charset::Numeric: return "N";
    case Charset::Cset82: return "CSET 82";
    case Charset::Cset39: return "CSET 39";
    case Charset::Cset64: return "CSET 64";
    }
    return "?";
}

bool inCharset(Charset set, char c)
{
    const bool digit = c >= '0' && c <= '9';
    const bool upper = c >= 'A' && c <= 'Z';
    const bool lower = c >= 'a' && c <= 'z';
    switch (set) {
    case Charset::Numeric: return digit;
    // GS1 General Specifications 7.11, Figure 7.11-1.
    case Charset::Cset82:
        return digit || upper || lower || std::string_view("!\"%&'()*+,-./:;<=>?_").find(c) != std::string_view::npos;
    // Figure 7.11-2.
    case Charset::Cset39: return digit || upper || c == '#' || c == '-' || c == '/';
    // Figure 7.11-3; '=' is only padding at the end, checked by the parser.
    case Charset::Cset64: return digit || upper || lower || c == '-' || c == '_' || c == '=';
    }
    return false;
}

} // namespace backfill::scan
