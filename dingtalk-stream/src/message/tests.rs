//! Decodes every §4.4 example verbatim, plus the lenient-typing rules.

use proptest::prelude::*;

use super::*;

const TEXT_GROUP: &str = r#"{"msgId":"msgQ1w2E3r4T5y6U7i8O9p0A==","msgtype":"text","createAt":1774080001900,"conversationId":"cidQx3v8Lk2mN7pR4sT1uW9y=","conversationType":"2","conversationTitle":"Ops team",
 "senderId":"$:LWCP_v1:$Zm9vYmFyYmF6cXV4","senderNick":"Alice","senderStaffId":"0123456789012345678","senderCorpId":"ding0123456789abcdef","isAdmin":true,"chatbotUserId":"$:LWCP_v1:$Ym90dXNlcmlk",
 "chatbotCorpId":"ding0123456789abcdef","robotCode":"dingabc123xyz456","isInAtList":true,"atUsers":[{"dingtalkId":"$:LWCP_v1:$Ym90dXNlcmlk"}],
 "sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=0123456789abcdef","sessionWebhookExpiredTime":1774085401900,"text":{"content":" deploy status?"}}"#;

const TEXT_DIRECT: &str = r#"{"msgId":"msgK8sVn2pQr7tXw1yZa3bCd==","msgtype":"text","createAt":1774080001900,"conversationId":"cidA1b2C3d4E5f6G7h8I9j0KlMn=","conversationType":"1","openThreadId":"cidA1b2C3d4E5f6G7h8I9j0KlMn=",
 "senderId":"$:LWCP_v1:$Zm9vYmFyYmF6cXV4","senderNick":"Alice","senderStaffId":"0123456789012345678","senderCorpId":"ding0123456789abcdef","senderPlatform":"Mac","isAdmin":false,
 "chatbotUserId":"$:LWCP_v1:$Ym90dXNlcmlk","chatbotCorpId":"ding0123456789abcdef","robotCode":"dingabc123xyz456",
 "sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=0123456789abcdef","sessionWebhookExpiredTime":1774085401900,"text":{"content":"hello"}}"#;

const PICTURE: &str = r#"{"msgId":"msgP4cTuR9eW2qA6sD1fG5hJ==","msgtype":"picture","createAt":1774080100000,"conversationId":"cidA1b2C3d4E5f6G7h8I9j0KlMn=","conversationType":"1","senderId":"$:LWCP_v1:$Zm9vYmFyYmF6cXV4",
 "senderNick":"Alice","senderStaffId":"0123456789012345678","senderCorpId":"ding0123456789abcdef","isAdmin":false,"chatbotUserId":"$:LWCP_v1:$Ym90dXNlcmlk","chatbotCorpId":"ding0123456789abcdef",
 "robotCode":"dingabc123xyz456","sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=0123456789abcdef","sessionWebhookExpiredTime":1774085500000,
 "content":{"downloadCode":"ZG93bmxvYWQtcGljdHVyZQ…","pictureDownloadCode":"cGljdHVyZS1kb3dubG9hZA…"}}"#;

const RICH_TEXT: &str = r#"{"msgId":"msgR7iC3hT8xN2mV5bL0kQ9z==","msgtype":"richText","createAt":1774080200000,"conversationId":"cidA1b2C3d4E5f6G7h8I9j0KlMn=","conversationType":"1","senderId":"$:LWCP_v1:$Zm9vYmFyYmF6cXV4",
 "senderNick":"Alice","senderStaffId":"0123456789012345678","senderCorpId":"ding0123456789abcdef","isAdmin":false,"chatbotUserId":"$:LWCP_v1:$Ym90dXNlcmlk","chatbotCorpId":"ding0123456789abcdef",
 "robotCode":"dingabc123xyz456","sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=0123456789abcdef","sessionWebhookExpiredTime":1774085600000,
 "content":{"richText":[{"type":"picture","downloadCode":"ZG93bmxvYWQtcmljaA…","pictureDownloadCode":"cGljdHVyZS1yaWNo…"},{"text":"\n"},{"text":"what is in this chart?"}]}}"#;

const AUDIO: &str = r#"{"msgId":"msgAu9dIoXq2cV1bN0mK7jH6g==","msgtype":"audio","createAt":1774080300000,"conversationId":"cidA1b2C3d4E5f6G7h8I9j0KlMn=","conversationType":"1","senderId":"$:LWCP_v1:$Zm9vYmFyYmF6cXV4",
 "senderNick":"Alice","senderStaffId":"0123456789012345678","senderCorpId":"ding0123456789abcdef","isAdmin":false,"chatbotUserId":"$:LWCP_v1:$Ym90dXNlcmlk","chatbotCorpId":"ding0123456789abcdef",
 "robotCode":"dingabc123xyz456","sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=0123456789abcdef","sessionWebhookExpiredTime":1774085700000,
 "content":{"duration":4200,"downloadCode":"QXVkaW9Eb3dubG9hZA…","recognition":"remind me at five"}}"#;

const VIDEO: &str = r#"{"msgId":"msgVd3oFg7hJ8kL9zX0cV1bNm==","msgtype":"video","createAt":1774080400000,"conversationId":"cidA1b2C3d4E5f6G7h8I9j0KlMn=","conversationType":"1","senderId":"$:LWCP_v1:$Zm9vYmFyYmF6cXV4",
 "senderNick":"Alice","senderStaffId":"0123456789012345678","senderCorpId":"ding0123456789abcdef","isAdmin":false,"chatbotUserId":"$:LWCP_v1:$Ym90dXNlcmlk","chatbotCorpId":"ding0123456789abcdef",
 "robotCode":"dingabc123xyz456","sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=0123456789abcdef","sessionWebhookExpiredTime":1774085800000,
 "content":{"duration":15000,"downloadCode":"VmlkZW9Eb3dubG9hZA…","videoType":"mp4"}}"#;

const FILE: &str = r#"{"msgId":"msgF1lE6wY3uI8oP2aS7dG4h==","msgtype":"file","createAt":1774080500000,"conversationId":"cidA1b2C3d4E5f6G7h8I9j0KlMn=","conversationType":"1","senderId":"$:LWCP_v1:$Zm9vYmFyYmF6cXV4",
 "senderNick":"Alice","senderStaffId":"0123456789012345678","senderCorpId":"ding0123456789abcdef","isAdmin":false,"chatbotUserId":"$:LWCP_v1:$Ym90dXNlcmlk","chatbotCorpId":"ding0123456789abcdef",
 "robotCode":"dingabc123xyz456","sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=0123456789abcdef","sessionWebhookExpiredTime":1774085900000,
 "content":{"downloadCode":"ZmlsZS1kb3dubG9hZA…","fileId":"300000000001","fileName":"q3-report.pdf","spaceId":"40000000001"}}"#;

const MARKDOWN: &str = r#"{"msgId":"msgMd5sQ2wE3rT4yU5iO6pA7==","msgtype":"markdown","createAt":1774080600000,"conversationId":"cidQx3v8Lk2mN7pR4sT1uW9y=","conversationType":"2","conversationTitle":"Ops team",
 "senderId":"$:LWCP_v1:$Zm9vYmFyYmF6cXV4","senderNick":"Alice","senderStaffId":"0123456789012345678","senderCorpId":"ding0123456789abcdef","isAdmin":true,"chatbotUserId":"$:LWCP_v1:$Ym90dXNlcmlk",
 "chatbotCorpId":"ding0123456789abcdef","robotCode":"dingabc123xyz456","isInAtList":true,"atUsers":[{"dingtalkId":"$:LWCP_v1:$Ym90dXNlcmlk"}],
 "sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=0123456789abcdef","sessionWebhookExpiredTime":1774086000000,"content":{"title":"note","text":"**bold** item"}}"#;

#[test]
fn decodes_text_group_example() {
    let m = BotMessage::from_json(TEXT_GROUP).unwrap();
    assert_eq!(m.id.as_str(), "msgQ1w2E3r4T5y6U7i8O9p0A==");
    assert_eq!(m.msg_type, MsgType::Text);
    assert_eq!(m.conversation_type, Some(ConversationType::Group));
    assert_eq!(m.conversation_title.as_deref(), Some("Ops team"));
    assert_eq!(m.robot_code.as_str(), "dingabc123xyz456");
    assert_eq!(m.is_admin, Some(true));
    assert_eq!(m.is_in_at_list, Some(true));
    assert_eq!(m.at_users.len(), 1);
    assert_eq!(m.at_users[0].staff_id, None);
    assert_eq!(m.create_at, Some(1_774_080_001_900));
    assert_eq!(m.session_webhook_expired_time, Some(1_774_085_401_900));
    let MessageContent::Text(t) = &m.content else {
        panic!("{:?}", m.content)
    };
    assert_eq!(t.content, " deploy status?");
    assert!(!t.is_reply_msg);
    assert!(m.extra.is_empty(), "{:?}", m.extra);
}

#[test]
fn decodes_text_direct_example() {
    let m = BotMessage::from_json(TEXT_DIRECT).unwrap();
    assert_eq!(m.conversation_type, Some(ConversationType::Direct));
    assert_eq!(m.sender_platform.as_deref(), Some("Mac"));
    assert_eq!(m.open_thread_id.as_deref(), Some("cidA1b2C3d4E5f6G7h8I9j0KlMn="));
    assert_eq!(
        m.sender_staff_id.as_ref().map(StaffId::as_str),
        Some("0123456789012345678")
    );
    assert_eq!(m.content.text().as_deref(), Some("hello"));
    assert!(m.extra.is_empty());
}

#[test]
fn decodes_picture_example() {
    let m = BotMessage::from_json(PICTURE).unwrap();
    let MessageContent::Picture(p) = &m.content else {
        panic!()
    };
    assert_eq!(p.download_code.as_str(), "ZG93bmxvYWQtcGljdHVyZQ…");
    assert_eq!(
        p.picture_download_code.as_ref().unwrap().as_str(),
        "cGljdHVyZS1kb3dubG9hZA…"
    );
}

#[test]
fn decodes_rich_text_example() {
    let m = BotMessage::from_json(RICH_TEXT).unwrap();
    let MessageContent::RichText(items) = &m.content else {
        panic!()
    };
    assert_eq!(items.len(), 3);
    assert!(
        matches!(&items[0], RichTextItem::Picture(p) if p.download_code.as_str() == "ZG93bmxvYWQtcmljaA…")
    );
    assert_eq!(items[2], RichTextItem::Text("what is in this chart?".into()));
    assert_eq!(m.content.text().as_deref(), Some("\nwhat is in this chart?"));
}

#[test]
fn decodes_audio_example() {
    let m = BotMessage::from_json(AUDIO).unwrap();
    let MessageContent::Audio(a) = &m.content else {
        panic!()
    };
    assert_eq!(a.duration_ms, Some(4200));
    assert_eq!(a.recognition.as_deref(), Some("remind me at five"));
    assert_eq!(a.download_code.as_str(), "QXVkaW9Eb3dubG9hZA…");
}

#[test]
fn audio_duration_as_string_or_missing() {
    let s = AUDIO.replace(r#""duration":4200"#, r#""duration":"4200""#);
    let MessageContent::Audio(a) = BotMessage::from_json(&s).unwrap().content else {
        panic!()
    };
    assert_eq!(a.duration_ms, Some(4200));
    let s = AUDIO.replace(r#""duration":4200,"#, "");
    let MessageContent::Audio(a) = BotMessage::from_json(&s).unwrap().content else {
        panic!()
    };
    assert_eq!(a.duration_ms, None);
}

#[test]
fn decodes_video_example() {
    let m = BotMessage::from_json(VIDEO).unwrap();
    let MessageContent::Video(v) = &m.content else {
        panic!()
    };
    assert_eq!(v.duration_ms, Some(15000));
    assert_eq!(v.video_type.as_deref(), Some("mp4"));
}

#[test]
fn decodes_file_example() {
    let m = BotMessage::from_json(FILE).unwrap();
    let MessageContent::File(f) = &m.content else {
        panic!()
    };
    assert_eq!(f.file_name.as_deref(), Some("q3-report.pdf"));
    assert_eq!(f.file_id.as_deref(), Some("300000000001"));
    assert_eq!(f.space_id.as_deref(), Some("40000000001"));
}

#[test]
fn decodes_markdown_example_and_text_form() {
    let m = BotMessage::from_json(MARKDOWN).unwrap();
    assert_eq!(
        m.content,
        MessageContent::Markdown(MarkdownContent {
            title: Some("note".into()),
            text: "**bold** item".into()
        })
    );
    let s = MARKDOWN.replace(
        r#""content":{"title":"note","text":"**bold** item"}"#,
        r#""text":{"content":"hi"}"#,
    );
    let m = BotMessage::from_json(&s).unwrap();
    assert_eq!(m.content.text().as_deref(), Some("hi"));
}

#[test]
fn decodes_quoted_reply() {
    let s = TEXT_DIRECT.replace(
        r#""text":{"content":"hello"}"#,
        r#""text":{"content":"yes","isReplyMsg":true,"repliedMsg":{"msgType":"text","msgId":"msgOld","senderId":"$:x","createdAt":1774080000000,"content":{"text":"q?"}}}"#,
    );
    let MessageContent::Text(t) = BotMessage::from_json(&s).unwrap().content else {
        panic!()
    };
    assert!(t.is_reply_msg);
    let r = t.replied_msg.unwrap();
    assert_eq!(r.msg_id.unwrap().as_str(), "msgOld");
    assert_eq!(r.created_at, Some(1_774_080_000_000));
    assert_eq!(r.content["text"], "q?");
}

#[test]
fn interactive_card_chat_record_and_unknown_keep_raw() {
    let s = PICTURE.replace(r#""msgtype":"picture""#, r#""msgtype":"interactiveCard""#);
    assert!(matches!(
        BotMessage::from_json(&s).unwrap().content,
        MessageContent::InteractiveCard(_)
    ));
    let s = PICTURE.replace(r#""msgtype":"picture""#, r#""msgtype":"chatRecord""#);
    assert!(matches!(
        BotMessage::from_json(&s).unwrap().content,
        MessageContent::ChatRecord(_)
    ));
    let s = PICTURE.replace(r#""msgtype":"picture""#, r#""msgtype":"hologram""#);
    let m = BotMessage::from_json(&s).unwrap();
    assert_eq!(m.msg_type, MsgType::Unknown("hologram".into()));
    let MessageContent::Unknown { msgtype, raw } = m.content else {
        panic!()
    };
    assert_eq!(msgtype, "hologram");
    assert_eq!(raw["downloadCode"], "ZG93bmxvYWQtcGljdHVyZQ…");
}

#[test]
fn malformed_known_content_becomes_unknown() {
    let s = PICTURE.replace(r#""downloadCode":"ZG93bmxvYWQtcGljdHVyZQ…","#, "");
    assert!(matches!(
        BotMessage::from_json(&s).unwrap().content,
        MessageContent::Unknown { .. }
    ));
    let s = TEXT_DIRECT.replace(r#""text":{"content":"hello"}"#, r#""text":"hello""#);
    assert!(matches!(
        BotMessage::from_json(&s).unwrap().content,
        MessageContent::Unknown { .. }
    ));
}

#[test]
fn oddly_typed_optional_fields_go_to_extra() {
    let s = TEXT_GROUP
        .replace(r#""conversationType":"2""#, r#""conversationType":2"#)
        .replace(r#""isAdmin":true"#, r#""isAdmin":{"x":1}"#)
        .replace(r#""createAt":1774080001900"#, r#""createAt":"1774080001900""#)
        .replace(r#""atUsers":[{"#, r#""newField":[1],"atUsers":[{"#);
    let m = BotMessage::from_json(&s).unwrap();
    assert_eq!(m.conversation_type, Some(ConversationType::Group));
    assert_eq!(m.is_admin, None);
    assert_eq!(m.extra["isAdmin"]["x"], 1);
    assert_eq!(m.create_at, Some(1_774_080_001_900));
    assert_eq!(m.extra["newField"][0], 1);
}

#[test]
fn missing_msg_id_or_non_object_is_an_error() {
    assert_eq!(BotMessage::from_json("[]"), Err(PayloadError::NotObject));
    assert_eq!(BotMessage::from_json("nope"), Err(PayloadError::NotObject));
    assert_eq!(
        BotMessage::from_json(r#"{"msgtype":"text"}"#),
        Err(PayloadError::Missing("msgId"))
    );
}

#[test]
fn decodes_delegate_fields() {
    let s = TEXT_DIRECT.replace(
        r#""robotCode":"dingabc123xyz456","#,
        r#""robotCode":"dingabc123xyz456","hostingContext":{"userId":"0123","nick":"Bob"},"conversationMsgContext":[{"readStatus":"2","senderUserId":"u1","sendTime":1774080000000}],"#,
    );
    let m = BotMessage::from_json(&s).unwrap();
    let h = m.hosting_context.unwrap();
    assert_eq!(h.user_id.unwrap().as_str(), "0123");
    assert_eq!(h.nick.as_deref(), Some("Bob"));
    assert_eq!(m.conversation_msg_context[0].read_status.as_deref(), Some("2"));
    assert_eq!(m.conversation_msg_context[0].send_time, Some(1_774_080_000_000));
}

const CARD: &str = r#"{"type":"actionCallback","outTrackId":"order-42-approval","corpId":"ding0123456789abcdef","userId":"0123456789012345678","userIdType":1,"spaceId":"cidQx3v8Lk2mN7pR4sT1uW9y=","spaceType":"IM_GROUP","content":"{\"cardPrivateData\":{\"actionIds\":[\"agree\"],\"params\":{\"action\":\"agree\"}}}","extension":"{}"}"#;

#[test]
fn decodes_card_callback_example() {
    let c = CardCallback::from_json(CARD).unwrap();
    assert_eq!(c.out_track_id.as_str(), "order-42-approval");
    assert_eq!(c.callback_type.as_deref(), Some("actionCallback"));
    assert_eq!(c.user_id_type, Some(1));
    assert_eq!(c.space_type.as_deref(), Some("IM_GROUP"));
    let p = c.private_data.unwrap();
    assert_eq!(p.action_ids, vec!["agree".to_string()]);
    assert_eq!(p.params["action"], "agree");
    assert_eq!(c.extension, Some(serde_json::json!({})));
    assert!(c.extra.is_empty(), "{:?}", c.extra);
}

#[test]
fn card_callback_falls_back_to_value_and_keeps_bad_content() {
    let s = r#"{"outTrackId":"t","content":"not json","value":"{\"cardPrivateData\":{\"actionIds\":[\"x\"],\"params\":{\"submit_form_fields\":{\"a\":[1]}}}}"}"#;
    let c = CardCallback::from_json(s).unwrap();
    assert_eq!(c.private_data.unwrap().action_ids, vec!["x".to_string()]);
    assert_eq!(c.extra["content"], "not json");
    assert_eq!(
        CardCallback::from_json("{}"),
        Err(PayloadError::Missing("outTrackId"))
    );
}

#[test]
fn decodes_graph_request_example_and_builds_response() {
    let g = GraphRequest::from_json(
        r#"{"requestLine":{"method":"POST","uri":"/v1/weather?city=hangzhou"},"headers":{"content-type":"application/json","x-plugin-id":"p"},"body":"{\"date\":\"today\"}"}"#,
    )
    .unwrap();
    assert_eq!(g.method, "POST");
    assert_eq!(g.path(), "/v1/weather");
    assert_eq!(g.headers["x-plugin-id"], "p");
    assert_eq!(g.body, r#"{"date":"today"}"#);
    assert_eq!(
        serde_json::to_string(&GraphResponse::json(r#"{"temp":21}"#)).unwrap(),
        r#"{"statusLine":{"code":200,"reasonPhrase":"OK"},"headers":{"Content-Type":"application/json"},"body":"{\"temp\":21}"}"#
    );
}

proptest! {
    #[test]
    fn arbitrary_payloads_never_panic(text in ".{0,300}") {
        let _ = BotMessage::from_json(&text);
        let _ = CardCallback::from_json(&text);
        let _ = GraphRequest::from_json(&text);
    }

    #[test]
    fn arbitrary_field_types_never_fail_a_message(
        key in prop_oneof![Just("createAt"), Just("isAdmin"), Just("atUsers"), Just("conversationType"), Just("content"), Just("text"), Just("senderStaffId")],
        value in prop_oneof![Just(Value::Null), Just(Value::from(1.5)), Just(Value::from("x")), Just(serde_json::json!([{"a":1}])), Just(serde_json::json!({"duration":"x"}))],
        msgtype in prop_oneof![Just("text"), Just("audio"), Just("richText"), Just("markdown"), Just("zzz")],
    ) {
        let mut v: Value = serde_json::from_str(AUDIO).unwrap();
        v["msgtype"] = Value::from(msgtype);
        v[key] = value;
        prop_assert!(BotMessage::from_json(&v.to_string()).is_ok());
    }
}

#[test]
fn check_agrees_with_a_full_decode_on_edge_cases() {
    for text in [
        TEXT_GROUP,
        r#"{"msgId":"m"}"#,
        r#"{"msgId":""}"#,
        r#"{"msgId":7}"#,
        r#"{"msgId":1.5}"#,
        r#"{"msgId":true}"#,
        r#"{"msgId":null}"#,
        r#"{"msgId":["m"]}"#,
        r#"{"msgId":{"a":1}}"#,
        r#"{"msgId":"m","msgId":""}"#,
        r#"{"msgId":"","msgId":"m"}"#,
        r#"{"msg\u0049d":"m"}"#,
        r#"{"msgId":"\u0000"}"#,
        r#"["m"]"#,
        r#""m""#,
        "",
        "{",
        r#"{"msgId":"m"} x"#,
    ] {
        assert_eq!(
            BotMessage::check(text).is_ok(),
            BotMessage::from_json(text).is_ok(),
            "{text}"
        );
    }
}

proptest! {
    #[test]
    fn check_agrees_with_a_full_decode(
        id in prop_oneof![Just(Value::Null), Just(Value::from("")), ".{0,4}".prop_map(Value::from),
            any::<i64>().prop_map(Value::from), any::<bool>().prop_map(Value::from), Just(serde_json::json!([1]))],
        second in proptest::option::of(prop_oneof![Just(Value::from("")), Just(Value::from("x")), Just(Value::Null)]),
        other in ".{0,8}",
    ) {
        let mut text = format!(r#"{{"msgId":{id},"other":{}"#, Value::from(other));
        if let Some(second) = second {
            text = format!(r#"{text},"msgId":{second}"#);
        }
        text.push('}');
        prop_assert_eq!(BotMessage::check(&text).is_ok(), BotMessage::from_json(&text).is_ok());
    }
}
