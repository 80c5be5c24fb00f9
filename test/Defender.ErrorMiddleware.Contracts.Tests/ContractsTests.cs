using System.Text.Json;
using Defender.ErrorMiddleware.Catalog;

namespace Defender.ErrorMiddleware.Contracts.Tests;

public sealed class ContractsTests
{
    private const string Envelope = """{"error":{"code":"ResourceNotFound","message":"Machine 123 was not found","target":"43f4cb08-8fac-4b65-9db1-745c2ae65f3a"}}""";

    [Fact]
    public void JsonTypeInfo_WritesTheExactEnvelope()
    {
        var envelope = new DefenderErrorEnvelope
        {
            Error = new DefenderErrorBody { Code = "ResourceNotFound", Message = "Machine 123 was not found", Target = Guid.Parse("43F4CB08-8FAC-4B65-9DB1-745C2AE65F3A") },
        };

        Assert.Equal(Envelope, JsonSerializer.Serialize(envelope, DefenderErrorEnvelope.JsonTypeInfo));
    }

    [Fact]
    public void JsonTypeInfo_ReadsAnEnvelope()
    {
        var envelope = JsonSerializer.Deserialize(Envelope, DefenderErrorEnvelope.JsonTypeInfo)!;

        Assert.Equal("ResourceNotFound", envelope.Error.Code);
        Assert.Equal("Machine 123 was not found", envelope.Error.Message);
        Assert.Equal(Guid.Parse("43f4cb08-8fac-4b65-9db1-745c2ae65f3a"), envelope.Error.Target);
    }

    [Theory]
    [InlineData("""{"error":{"code":"BadRequest","target":"43f4cb08-8fac-4b65-9db1-745c2ae65f3a"}}""")]
    [InlineData("""{"error":{"code":"BadRequest","message":"m","target":"not-a-guid"}}""")]
    [InlineData("""{"message":"not an envelope"}""")]
    public void JsonTypeInfo_Throws_ForABodyThatIsNotTheContract(string json) =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, DefenderErrorEnvelope.JsonTypeInfo));

    [Theory]
    [InlineData(400, "BadRequest", null)]
    [InlineData(401, "Unauthorized", null)]
    [InlineData(404, "NotFound", null)]
    [InlineData(415, "InvalidRequestBody", "The request body's Content-Type is not supported; send application/json.")]
    [InlineData(429, DefenderStatusCodeErrors.TooManyRequests, null)]
    [InlineData(418, "BadRequest", null)]
    [InlineData(503, "InternalServerError", null)]
    public void Resolve_UsesTheDefaultTable_ThenTheFallback(int status, string code, string? message)
    {
        var error = DefenderStatusCodeErrors.Resolve(status);

        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    // The overload that takes an application's table is obsolete (a server concern, DefenderErrorOptions.GetStatusCodeError);
    // it keeps working for the release it is marked in.
    [Fact]
#pragma warning disable CS0618
    public void Resolve_ObsoleteTableOverload_StillUsesTheGivenTable_AndItsFallbackForOtherStatuses()
    {
        var table = new Dictionary<int, DefenderError> { [409] = DefenderError.DisallowedOperation("Already isolated.") };

        Assert.Equal(DefenderError.DisallowedOperation("Already isolated."), DefenderStatusCodeErrors.Resolve(409, table));
        Assert.Equal("BadRequest", DefenderStatusCodeErrors.Resolve(404, table).Code);
        Assert.Equal("InternalServerError", DefenderStatusCodeErrors.Resolve(502, table).Code);
        Assert.Equal("NotFound", DefenderStatusCodeErrors.Resolve(404, null).Code);
    }
#pragma warning restore CS0618

    [Fact]
    public void Defaults_CannotBeChanged() =>
        Assert.Throws<NotSupportedException>(() => ((IDictionary<int, DefenderError>)DefenderStatusCodeErrors.Defaults)[404] = DefenderError.BadRequest());

    [Fact]
    public void TryGet_IsCaseSensitive_AndFalseForNull()
    {
        Assert.True(DefenderErrorCatalog.TryGet("InvalidUrl", out var descriptor));
        Assert.Equal(DefenderErrorCode.InvalidUrl, descriptor.Code);
        Assert.False(DefenderErrorCatalog.TryGet("invalidurl", out _));
        Assert.False(DefenderErrorCatalog.TryGet(null, out _));
    }

    [Fact]
    public void Get_Throws_ForAValueOutsideTheEnum() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DefenderErrorCatalog.Get((DefenderErrorCode)19));

    [Fact]
    public void Format_SanitizesEachArgument() =>
        Assert.Equal("URL a\\nb is invalid.", DefenderErrorCatalog.Format(DefenderErrorCode.InvalidUrl, "a\nb"));

    [Fact]
    public void Assembly_ReferencesNoAspNetCore() =>
        Assert.DoesNotContain(typeof(DefenderErrorCode).Assembly.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));

    [Fact]
    public void ErrorCodeHeader_IsTheDocumentedName() => Assert.Equal("x-ms-error-code", DefenderErrorHeaders.ErrorCode);
}
