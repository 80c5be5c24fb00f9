using Defender.ErrorMiddleware.Catalog;

namespace Defender.ErrorMiddleware.Contracts.Tests;

public sealed class CatalogTests
{
    [Fact]
    public void Catalog_HasExactlyTheNineteenDocumentedCodes_InSpecOrder()
    {
        string[] documented =
        [
            "BadRequest", "ODataError", "InvalidInput", "InvalidRequestBody", "InvalidHashValue", "InvalidDomainName",
            "InvalidIpAddress", "InvalidUrl", "MaximumBatchSizeExceeded", "MissingRequiredParameter", "OsPlatformNotSupported",
            "ClientVersionNotSupported", "Unauthorized", "Forbidden", "DisabledFeature", "DisallowedOperation", "NotFound",
            "ResourceNotFound", "InternalServerError",
        ];

        Assert.Equal(documented, DefenderErrorCatalog.All.ToArray().Select(d => d.Name));
        Assert.Equal(documented, Enum.GetNames<DefenderErrorCode>());
    }

    [Theory]
    [InlineData(DefenderErrorCode.BadRequest, 400)]
    [InlineData(DefenderErrorCode.ODataError, 400)]
    [InlineData(DefenderErrorCode.ClientVersionNotSupported, 400)]
    [InlineData(DefenderErrorCode.Unauthorized, 401)]
    [InlineData(DefenderErrorCode.Forbidden, 403)]
    [InlineData(DefenderErrorCode.DisabledFeature, 403)]
    [InlineData(DefenderErrorCode.DisallowedOperation, 403)]
    [InlineData(DefenderErrorCode.NotFound, 404)]
    [InlineData(DefenderErrorCode.ResourceNotFound, 404)]
    [InlineData(DefenderErrorCode.InternalServerError, 500)]
    public void Get_ReturnsDocumentedStatus(DefenderErrorCode code, int status) =>
        Assert.Equal(status, DefenderErrorCatalog.Get(code).StatusCode);

    public static TheoryData<string, string> FactoryMessages => new()
    {
        { DefenderError.ResourceNotFound("Machine", "123123123").Message!, "Machine 123123123 was not found" },
        { DefenderError.ResourceNotFound("indicator 7").Message!, "Resource indicator 7 was not found." },
        { DefenderError.MaximumBatchSizeExceeded(501, 500).Message!, "Maximum batch size exceeded. Received: 501, allowed: 500." },
        { DefenderError.MissingRequiredParameter("Comment").Message!, "Parameter Comment is missing." },
        { DefenderError.InvalidInput("abc").Message!, "Invalid input abc." },
        { DefenderError.InvalidHashValue("zz").Message!, "Hash value zz is invalid." },
        { DefenderError.InvalidDomainName("a..b").Message!, "Domain name a..b is invalid." },
        { DefenderError.InvalidIpAddress("1.2.3.999").Message!, "IP address 1.2.3.999 is invalid." },
        { DefenderError.InvalidUrl("ftp:x").Message!, "URL ftp:x is invalid." },
        { DefenderError.OsPlatformNotSupported("Linux").Message!, "OS Platform Linux is not supported for this action." },
        { DefenderError.ClientVersionNotSupported("Isolate", "10.8040").Message!, "Isolate is supported on client version 10.8040 and above." },
        { DefenderError.ODataError("Bad $top.").Message!, "Invalid OData URI query: Bad $top." },
        { DefenderError.DisallowedOperation("Machine 1 is already isolated.").Message!, "Machine 1 is already isolated." },
    };

    [Theory]
    [MemberData(nameof(FactoryMessages))]
    public void Factories_BuildDocumentedMessages(string actual, string expected) => Assert.Equal(expected, actual);

    [Fact]
    public void Factories_EscapeControlCharacters_AndBoundEchoedValues()
    {
        Assert.Equal("Invalid input a\\r\\nb\\u0000.", DefenderError.InvalidInput("a\r\nb\0").Message);
        var message = DefenderError.InvalidInput(new string('x', 10_000)).Message!;
        Assert.Equal("Invalid input " + new string('x', EchoSanitizer.MaxLength) + "….", message);
    }

    [Fact]
    public void Sanitize_ReplacesHalfOfACutSurrogatePair()
    {
        var value = new string('x', EchoSanitizer.MaxLength - 1) + "😀";
        Assert.Equal(new string('x', EchoSanitizer.MaxLength - 1) + "\uFFFD…", EchoSanitizer.Sanitize(value));
    }

    [Fact]
    public void Sanitize_ReturnsCleanValueUnchanged() =>
        Assert.Same("Machine-01.contoso.com", EchoSanitizer.Sanitize("Machine-01.contoso.com"));

    [Fact]
    public void DefenderError_ByName_RecognisesDocumentedCodes()
    {
        Assert.Equal(DefenderErrorCode.NotFound, new DefenderError("NotFound").KnownCode);
        Assert.Null(new DefenderError("ActiveRequestAlreadyExists").KnownCode);
        Assert.Null(new DefenderError("notfound").KnownCode);
    }
}
