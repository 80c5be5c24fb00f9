namespace Defender.ErrorMiddleware.Tests.Validation;

public sealed class DefenderValidatorsTests
{
    [Theory]
    [InlineData("da39a3ee5e6b4b0d3255bfef95601890afd80709", DefenderHashKind.Sha1, true)]
    [InlineData("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", DefenderHashKind.Any, true)]
    [InlineData("d41d8cd98f00b204e9800998ecf8427e", DefenderHashKind.Md5, true)]
    [InlineData("d41d8cd98f00b204e9800998ecf8427e", DefenderHashKind.Sha1, false)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", DefenderHashKind.Sha256, true)]
    [InlineData("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", DefenderHashKind.Sha256, false)]
    [InlineData("", DefenderHashKind.Any, false)]
    [InlineData("da39a3ee5e6b4b0d3255bfef95601890afd8070 ", DefenderHashKind.Sha1, false)]
    public void TryValidateHash_ChecksLengthAndDigits_ForKind(string value, DefenderHashKind kind, bool valid)
    {
        Assert.Equal(valid, DefenderValidators.TryValidateHash(value, kind, out var error));
        Assert.Equal(valid ? default : DefenderError.InvalidHashValue(value), error);
    }

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("1", false)]
    [InlineData("10.1", false)]
    [InlineData("010.1.1.1", false)]
    [InlineData("0x0a.0.0.1", false)]
    [InlineData("256.1.1.1", false)]
    [InlineData("1.2.3.4 ", false)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("[2001:db8::1]", false)]
    [InlineData(null, false)]
    public void TryValidateIpAddress_RejectsAmbiguousForms(string? value, bool valid)
    {
        Assert.Equal(valid, DefenderValidators.TryValidateIpAddress(value, out var error));
        Assert.Equal(valid ? default : DefenderError.InvalidIpAddress(value), error);
    }

    [Theory]
    [InlineData("contoso.com", true)]
    [InlineData("a-b.contoso.co.uk", true)]
    [InlineData("bücher.example", true)]
    [InlineData("xn--bcher-kva.example", true)]
    [InlineData("localhost", false)]
    [InlineData("bad..example", false)]
    [InlineData("-bad.example", false)]
    [InlineData("bad_name.example", false)]
    [InlineData("1.2.3.4", false)]
    [InlineData("contoso.com.", false)]
    [InlineData("http://contoso.com", false)]
    public void TryValidateDomainName_FollowsHostNameRules(string value, bool valid)
    {
        Assert.Equal(valid, DefenderValidators.TryValidateDomainName(value, out var error));
        Assert.Equal(valid ? default : DefenderError.InvalidDomainName(value), error);
    }

    [Theory]
    [InlineData("https://contoso.com/path?q=1", true)]
    [InlineData("http://10.0.0.1:8080/", true)]
    [InlineData("HTTPS://CONTOSO.COM", true)]
    [InlineData("ftp://contoso.com", false)]
    [InlineData("http:/contoso.com", false)]
    [InlineData("http:\\\\contoso.com", false)]
    [InlineData("//contoso.com", false)]
    [InlineData("contoso.com", false)]
    [InlineData("https://conto so.com", false)]
    [InlineData(" https://contoso.com", false)]
    public void TryValidateUrl_AcceptsAbsoluteHttpOnly(string value, bool valid)
    {
        Assert.Equal(valid, DefenderValidators.TryValidateUrl(value, out var error));
        Assert.Equal(valid ? default : DefenderError.InvalidUrl(value), error);
    }

    [Fact]
    public void TryValidateBatchSize_ReportsReceivedAndAllowed_WhenTooMany()
    {
        Assert.True(DefenderValidators.TryValidateBatchSize(500, 500, out _));
        Assert.False(DefenderValidators.TryValidateBatchSize(501, 500, out var error));
        Assert.Equal("Maximum batch size exceeded. Received: 501, allowed: 500.", error.Message);
        Assert.Equal(DefenderErrorCode.MaximumBatchSizeExceeded, error.KnownCode);
    }

    [Theory]
    [InlineData("FileSha1", "abc", "InvalidHashValue", "Hash value abc is invalid.")]
    [InlineData("FileSha256", "abc", "InvalidHashValue", "Hash value abc is invalid.")]
    [InlineData("FileMd5", "abc", "InvalidHashValue", "Hash value abc is invalid.")]
    [InlineData("CertificateThumbprint", "abc", "InvalidHashValue", "Hash value abc is invalid.")]
    [InlineData("IpAddress", "1", "InvalidIpAddress", "IP address 1 is invalid.")]
    [InlineData("DomainName", "bad..example", "InvalidDomainName", "Domain name bad..example is invalid.")]
    [InlineData("Url", "htp:/x", "InvalidUrl", "URL htp:/x is invalid.")]
    [InlineData("fileSha1", "abc", "InvalidInput", "Invalid input fileSha1.")]
    [InlineData("", "abc", "MissingRequiredParameter", "Parameter indicatorType is missing.")]
    public void TryValidateIndicator_UsesTheKindsCode_ForInvalidValue(string type, string value, string code, string message)
    {
        Assert.False(DefenderValidators.TryValidateIndicator(type, value, out var error));
        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Attribute_GivesDefenderMessage_ToDataAnnotations()
    {
        var attribute = new IpAddressAttribute();
        var result = attribute.GetValidationResult("1", new System.ComponentModel.DataAnnotations.ValidationContext(new object()) { MemberName = "Ip" });
        Assert.Equal("IP address 1 is invalid.", result?.ErrorMessage);
        Assert.Equal(["Ip"], result!.MemberNames);
        Assert.True(attribute.IsValid(null));
        Assert.False(new FileHashAttribute().IsValid(new[] { "d41d8cd98f00b204e9800998ecf8427e", "nope" }));
    }
}
