namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>
/// The bad-query table of docs/odata.md: each query and the reason every usage answers after
/// <c>Invalid OData URI query: </c>. Checked rows are found by validation, which a bare
/// <c>ODataQueryOptions&lt;T&gt;.ApplyTo</c> in a minimal API does not run.
/// </summary>
public static class BadQueryTable
{
    public static readonly (string Query, string Reason, bool Checked)[] Rows =
    [
        // Names: properties as the JSON spells them; [JsonIgnore] ones do not exist.
        ("$filter=nosuch eq 1", "Could not find a property named 'nosuch' on type 'Default.Machine'.", false),
        ("$filter=secret eq 'x'", "Could not find a property named 'secret' on type 'Default.Machine'.", false),
        ("$orderby=nosuch desc", "Could not find a property named 'nosuch' on type 'Default.Machine'.", false),
        ("$select=id,nosuch", "Could not find a property named 'nosuch' on type 'Default.Machine'.", false),
        ("$filter=osPlatform/nosuch eq 'x'", "Could not find a property named 'nosuch' on type 'Edm.String'.", false),
        // Syntax and types.
        ("$filter=computerDnsName eq", "Expression expected at position 18 in 'computerDnsName eq'.", false),
        ("$filter=computerDnsName eq 'abc", "There is an unterminated string literal at position 23 in 'computerDnsName eq 'abc'.", false),
        ("$filter=riskScore", "The $filter expression must evaluate to a single boolean value.", false),
        ("$filter=healthStatus eq 'Nope'", "The string 'Nope' is not a valid enumeration type constant.", false),
        ("$filter=riskScore ge 2025-13-45", "Syntax error at position 20 in 'riskScore ge 2025-13-45'.", false),
        ("$filter=not id ge ()", "Expression expected at position 11 in 'not id ge ()'.", false),
        // Values of $top, $skip, $count.
        ("$top=-1", "Invalid value '-1' for $top query option found. The $top query option requires a non-negative integer value.", false),
        ("$top=abc", "Invalid value 'abc' for $top query option found. The $top query option requires a non-negative integer value.", false),
        ("$top=", "The value for OData query '$top' cannot be empty.", false),
        ("$skip=-5", "Invalid value '-5' for $skip query option found. The $skip query option requires a non-negative integer value.", false),
        ("$top=1&$top=2", "Invalid value '1,2' for $top query option found. The $top query option requires a non-negative integer value.", false),
        ("$count=yes", "'yes' is not a valid count option.", false),
        // Well-formed, but the database cannot run it (SQLite: date parts of a DateTimeOffset stored as a number; a literal part that fails).
        ("$filter=year(lastSeen) eq 2024", "The data source cannot run this query.", false),
        ("$filter=substring('abc', 5) eq 'x'", "The data source cannot run this query.", false),
        // Unknown system query options and the limits (Defender's defaults).
        ("$foo=1", "Custom query option '$foo' that starts with '$' is not supported.", true),
        ("$top=10001", "The limit of '10000' for Top query has been exceeded. The value from the incoming request is '10001'.", true),
        ("$filter=" + string.Join(" or ", Enumerable.Range(1, 30).Select(i => "id eq " + i)),
            "The node count limit of '100' has been exceeded. To increase the limit, set the 'MaxNodeCount' property on EnableQueryAttribute or ODataValidationSettings.", true),
        ("$orderby=id,computerDnsName,osPlatform,riskScore,lastSeen,firstSeen",
            "The number of clauses in $orderby query option exceeded the maximum number allowed. The maximum number of $orderby clauses allowed is 5.", true),
        ("$filter=machineTags/any(t: alerts/any(a: machineTags/any(u: u eq t)))",
            "The Any/All nesting limit of '2' has been exceeded. 'MaxAnyAllExpressionDepth' can be configured on ODataValidationSettings or EnableQueryAttribute.", true),
    ];

    /// <summary>The option-length limit (2,048 characters): the only limit the library has no setting for.</summary>
    public static readonly (string Query, string Reason) TooLong =
        ("$filter=computerDnsName eq '" + new string('a', 2100) + "'", "The $filter query option is 2121 characters long; the limit is 2048.");
}
