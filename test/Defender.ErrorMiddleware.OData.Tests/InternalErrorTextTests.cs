using Defender.ErrorMiddleware.OData.Tests.Infrastructure;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>
/// Security finding: the parser's internal-error text named a code path of the library
/// (<c>An internal error 'TypePromotionUtils_GetFunctionSignatures_Binary_UnreachableCodepath' occurred.</c>). The client
/// reads a plain reason in every usage; the original text is logged (a warning, event DefenderODataInternalErrorText), and only there.
/// </summary>
public sealed class InternalErrorTextTests(ODataAppFixture fixture) : IClassFixture<ODataAppFixture>
{
    private const string Identifier = "TypePromotionUtils_GetFunctionSignatures_Binary_UnreachableCodepath";

    public static TheoryData<string> Usages() => [.. ODataTestApp.ListUsages];

    [Theory]
    [MemberData(nameof(Usages))]
    public async Task InternalParserError_IsAPlainReason_TheIdentifierOnlyLogged(string path)
    {
        var response = await fixture.App.GetAsync(path, ODataTestApp.Encode("$filter=riskScore has 'High'"));
        var body = await response.Content.ReadAsStringAsync();
        var original = Assert.Single(fixture.App.Logs.GetSnapshot(), r => r.Id.Name == "DefenderODataInternalErrorText");

        await fixture.App.AssertODataErrorAsync(response, "An operator or function in the query does not apply to the types of its operands.");
        Assert.DoesNotContain(Identifier, body, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, original.Level);
        Assert.Contains("An internal error '" + Identifier + "' occurred.", original.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("An internal error 'TypePromotionUtils_GetFunctionSignatures_Binary_UnreachableCodepath' occurred.", "An operator or function in the query does not apply to the types of its operands.")]
    [InlineData("An internal error 'UriQueryExpressionParser_ParseComparison' occurred.", "The query cannot be applied.")]
    [InlineData("Could not find a property named 'internal' on type 'Default.Machine'.", "Could not find a property named 'internal' on type 'Default.Machine'.")]
    public void ClientReason_MapsOnlyTheLibrarysInternalErrorTexts(string libraryMessage, string expected) =>
        Assert.Equal(expected, Internal.ODataErrors.ClientReason(libraryMessage));
}
